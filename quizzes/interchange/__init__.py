"""Question interchange: Moodle XML, GIFT, Aiken and QTI read into neutral Items (common.Item) and written from them.

`detect_format` names a file's format from its content (and its name), `read_items` reads it, and
`mapping.item_to_question` is the one place an Item becomes one of our questions. The readers never touch the
database; the services in quizzes.services.imports decide what is written.
"""

from __future__ import annotations

import re

from quizzes.interchange import aiken, gift, moodle_xml, qti
from quizzes.interchange.common import MAX_FILE_BYTES, MAX_QUESTIONS, InterchangeError, Parsed, is_zip

# The formats a teacher can name; "csv"/"xlsx" stay with quizsite.tabular and the CSV import of the guide.
FORMATS = {
    "moodle_xml": "Moodle XML",
    "gift": "GIFT",
    "aiken": "Aiken",
    "qti": "QTI 2.1 or Canvas QTI 1.2 (zip package or XML)",
    "csv": "CSV or XLSX spreadsheet",
}
TABULAR = ("csv", "xlsx")
READERS = {
    "moodle_xml": moodle_xml.parse,
    "gift": gift.parse,
    "aiken": aiken.parse,
    "qti": qti.parse,
}
AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Z]\s*$", re.I | re.M)


def detect_format(data: bytes, name: str = "") -> str | None:
    """The format of an upload from its first bytes (and its name for text files); None when it looks like none
    of the question formats (the caller then treats it as a spreadsheet, whose reader explains what it accepts)."""
    lower = (name or "").lower()
    if is_zip(data):
        if lower.endswith(".xlsx") or (b"[Content_Types].xml" in data[:65536] and b"xl/" in data[:65536]):
            return "xlsx"
        return "qti"  # QTI 2.1 or Canvas's QTI 1.2: the reader tells them apart inside the package
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        head = data[:65536]
        if b"questestinterop" in head or b"assessmentItem" in head:
            return "qti"
        return "moodle_xml"  # its reader says clearly when the root is not <quiz>
    if lower.endswith((".csv", ".tsv", ".xlsx")):
        return "csv"
    text = decode_head(data)
    if AIKEN_ANSWER.search(text) and "{" not in text:
        return "aiken"
    if lower.endswith(".gift") or ("{" in text and "}" in text):
        return "gift"
    if lower.endswith((".txt", ".xml", ".zip")):
        raise InterchangeError(
            "The format of this file could not be recognised; name it (Moodle XML, GIFT, Aiken, QTI or CSV).",
            code="unknown_format",
        )
    return None


def decode_head(data: bytes) -> str:
    return data[:200_000].decode("utf-8", errors="replace")


def read_items(data: bytes, *, name: str = "", fmt: str | None = None) -> Parsed:
    """Read a question file (not CSV/XLSX) into Items; InterchangeError for a file that cannot be read at all."""
    if len(data) > MAX_FILE_BYTES:
        raise InterchangeError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it into smaller files.",
            code="file_too_large",
        )
    if not data.strip():
        raise InterchangeError("The file is empty.", code="empty_file")
    fmt = fmt or detect_format(data, name) or ""
    reader = READERS.get(fmt)
    if reader is None:
        raise InterchangeError(f"Unknown format “{fmt}”; use one of: {', '.join(FORMATS)}.", code="unknown_format")
    parsed = reader(data)
    if not parsed.items:
        raise InterchangeError(f"No questions were found in this {FORMATS.get(parsed.format, fmt)} file.")
    if len(parsed.items) > MAX_QUESTIONS:
        raise InterchangeError(f"The file holds more than {MAX_QUESTIONS} questions; split it into smaller files.")
    return parsed
