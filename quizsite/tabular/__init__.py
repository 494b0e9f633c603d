"""Reading and writing spreadsheets (CSV and XLSX) for imports and exports, in one place.

Writing is formula-injection safe: a cell that a spreadsheet would evaluate (starting with =, +, -, @, tab or
carriage return) is prefixed with an apostrophe (OWASP's advice). Control characters that XML (and so XLSX) cannot
hold are dropped from every cell. CSV is UTF-8 with a BOM so Excel opens non-ASCII names correctly.

Reading accepts CSV (UTF-8 with or without BOM, comma or semicolon separated) or XLSX, and normalises header
names (case and spaces) so "Registration Number" and "registration_number" are the same column. Uploads are
hostile until read: what a read may cost is in TableLimits (limits.py), and the .xlsx reader that keeps to it,
trusting nothing the file says about itself, is xlsx.py.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from quizsite.tabular.limits import Deadline, TableError, TableLimits
from quizsite.tabular.xlsx import xlsx_rows
from quizsite.text import CONTROL_CHARACTERS, control_character_error

__all__ = [
    "MAX_UPLOAD_BYTES",
    "TableError",
    "TableLimits",
    "normalise_header",
    "read_table",
    "row_control_character_error",
    "safe_cell",
    "write_csv",
    "write_xlsx",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# CONTROL_CHARACTERS (quizsite.text): XML 1.0 cannot hold them (openpyxl refuses the cell with IllegalCharacterError,
# and the whole export failed), so exports drop them; imports refuse the row (row_control_character_error).
SHEET_TITLE_FORBIDDEN = re.compile(r"[\x00-\x1f\\/?*\[\]:]")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal)):
        return value  # numbers are data, never formulas, even when negative
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    # Controls go first, so "\x01=cmd" cannot slip past the formula check below.
    text = CONTROL_CHARACTERS.sub("", str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_TITLE_FORBIDDEN.sub("", title)[:31] or "Sheet1")
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        # openpyxl stores a str starting with "=" as a formula; safe_cell has already defused those.
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def normalise_header(name) -> str:
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def read_table(
    uploaded, *, max_rows: int = 20000, max_bytes: int = MAX_UPLOAD_BYTES, limits: TableLimits | None = None
) -> tuple[list[str], list[dict]]:
    """Read an uploaded CSV or XLSX into (normalised headers, rows as dicts of stripped strings).

    Each row dict also carries "__row__": the row number as a spreadsheet shows it (header = 1). Blank rows are
    skipped but still counted, so reported numbers match what the user sees.
    """
    limits = limits or TableLimits()
    deadline = Deadline(limits.seconds)
    name = (getattr(uploaded, "name", "") or "").lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise TableError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise TableError("The file is empty.")
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        if not name.endswith(".xlsx"):
            raise TableError("Only .csv and .xlsx files can be imported.")
        raw_rows = xlsx_rows(data, limits, deadline)
    elif name.endswith(".csv") or name.endswith(".txt") or not name:
        raw_rows = _csv_rows(data, limits)
    else:
        raise TableError("Only .csv and .xlsx files can be imported.")

    headers: list[str] = []
    for _number, candidate in raw_rows:
        deadline.check()
        if any(str(c or "").strip() for c in candidate):
            headers = [normalise_header(c) for c in candidate]
            break
    if not headers:
        raise TableError("The file has no header row.")
    rows: list[dict] = []
    for number, values in raw_rows:
        deadline.check()
        cells = [_text(v) for v in values]
        if not any(cells):
            continue
        if len(rows) >= max_rows:
            raise TableError(f"The file has more than {max_rows} rows; split it into smaller files.")
        row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
        row["__row__"] = number
        rows.append(row)
    return headers, rows


def row_control_character_error(row: dict) -> str | None:
    """ "column: what is wrong" for the first cell of a read_table row holding a control character, else None. An
    importer reports it as that row's error and imports the others (quizsite.text's rule, applied to files)."""
    for column, value in row.items():
        if column != "__row__" and isinstance(value, str) and (message := control_character_error(value)):
            return f"{column}: {message}"
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- CSV ---------------------------------------------------------------------------------------------------------
def _csv_rows(data: bytes, limits: TableLimits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for each line, lazily, so the row limit stops reading; checks run before the first row."""
    if b"\x00" in data[:4096]:
        raise TableError("The file is not a text CSV file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("The CSV file must be saved as UTF-8.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return _csv_lines(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), limits.columns)


def _csv_lines(reader, columns: int) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells[:columns]
    except csv.Error as exc:  # a NUL byte, or one cell over csv's field size limit (128 KB)
        raise TableError(f"The CSV file cannot be read ({exc}).") from None
