"""The first worksheet of an uploaded .xlsx, read without trusting anything the file says about itself.

An .xlsx is a zip of XML: 2 MB can unpack to gigabytes, or declare a sheet of 16,384 x 1,048,576 cells that a
library pads out before anyone counts rows. So this reader checks every zip member's unpacked size and compression
ratio in the zip directory before reading any of it, counts bytes again as they unpack, streams each part's XML
through expat (a document type declaration is refused, so no entity expansion) without building a tree or padding
to a declared dimension, keeps at most `limits.columns` cells a row, and checks the deadline every 64 KB. The
caller stops at its row limit simply by not asking for more rows. Every refusal is a TableError that says why;
values come out as openpyxl's read-only, data-only mode gives them (dates as datetimes, shared and inline strings,
booleans, cached formula results).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from quizsite.tabular.limits import Deadline, TableError, TableLimits

MAX_CELL_CHARS = 32767  # Excel's own limit for one cell
UNREADABLE_XLSX = "The file is not a readable .xlsx workbook."
# What a broken or hostile archive raises while being read; each becomes UNREADABLE_XLSX. (TableError itself is
# not among them: a refusal keeps its own message.)
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted member
    expat.ExpatError,
)


def xlsx_rows(data: bytes, limits: TableLimits, deadline: Deadline) -> Iterator[tuple[int, list]]:
    """(row number, values) of the first worksheet's rows that have cells. The archive is opened and checked, and
    the workbook's parts are read, before the first row is asked for, so these refusals come first."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_archive(archive, limits)
        book = _Book(archive, limits, deadline)
    except _ARCHIVE_ERRORS:
        raise TableError(UNREADABLE_XLSX) from None
    return book.rows()


def _check_archive(archive: zipfile.ZipFile, limits: TableLimits) -> None:
    """Refuse from the zip directory alone: nothing has been unpacked yet."""
    megabytes = limits.unpacked_bytes // (1024 * 1024)
    for info in archive.infolist():
        if info.file_size > limits.unpacked_bytes:
            raise TableError(f"The workbook unpacks to more than {megabytes} MB; split it into smaller files.")
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise TableError(
                f"The workbook unpacks to more than {limits.ratio} times its size, which real spreadsheets never "
                "do; it was refused. Save it again from your spreadsheet program, or export it as CSV."
            )


def _refuse_dtd(*args):
    raise TableError("The workbook contains an XML document type declaration, which spreadsheets never need.")


class _LocalNames(dict):
    """Tag name -> name without its prefix ("x:row" -> "row"), looked up in C for the names already seen; a file
    that invents endless tag names gets them computed, not stored."""

    def __missing__(self, name: str) -> str:
        local = name.rpartition(":")[2]
        if len(self) < 1000:
            self[name] = local
        return local


_LOCAL = _LocalNames()


def _first(rels: dict[str, tuple[str, str]], kind: str) -> str | None:
    return next((path for rel_kind, path in rels.values() if rel_kind == kind), None)


class _Book:
    """The parts of an .xlsx needed to read its first worksheet's values, each parsed by a small expat handler."""

    def __init__(self, archive: zipfile.ZipFile, limits: TableLimits, deadline: Deadline):
        self.archive, self.limits, self.deadline = archive, limits, deadline
        workbook_path = _first(self._relationships("_rels/.rels", ""), "officeDocument") or "xl/workbook.xml"
        folder, base = posixpath.split(workbook_path)
        rels = self._relationships(posixpath.join(folder, "_rels", base + ".rels"), folder)
        workbook = self._parse(workbook_path, _WorkbookHandler(rels))
        if workbook.sheet is None:
            raise TableError("The workbook has no worksheet.")
        self.sheet_path = workbook.sheet
        self.epoch = CALENDAR_MAC_1904 if workbook.date1904 else WINDOWS_EPOCH
        strings_path, styles_path = _first(rels, "sharedStrings"), _first(rels, "styles")
        self.shared = self._parse(strings_path, _SharedStringsHandler(limits)).strings if strings_path else []
        self.date_styles: set[int] = set()
        self.timedelta_styles: set[int] = set()
        if styles_path:
            self._date_styles(self._parse(styles_path, _StylesHandler(limits)))

    def _relationships(self, path: str, folder: str) -> dict[str, tuple[str, str]]:
        """id -> (type, archive path of the target) for the package relationships in `path` (none if missing)."""
        if path not in self.archive.NameToInfo:
            return {}
        rels = {}
        for rel_id, (kind, target) in self._parse(path, _RelationshipsHandler(self.limits)).rels.items():
            target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            rels[rel_id] = (kind, posixpath.normpath(target))
        return rels

    def _date_styles(self, styles: _StylesHandler) -> None:
        for index, format_id in enumerate(styles.formats):
            code = styles.custom.get(format_id) or BUILTIN_FORMATS.get(format_id)
            if is_date_format(code):
                self.date_styles.add(index)
            if is_timedelta_format(code):
                self.timedelta_styles.add(index)

    def _chunks(self, path: str) -> Iterator[bytes]:
        """The member's bytes, 64 KB at a time, counted as they unpack (the directory could lie) and timed."""
        info = self.archive.getinfo(path)
        unpacked = 0
        with self.archive.open(info) as stream:
            while chunk := stream.read(64 * 1024):
                unpacked += len(chunk)
                if unpacked > self.limits.unpacked_bytes:
                    raise TableError("The workbook unpacks to more than its directory says; it was refused.")
                self.deadline.check()
                yield chunk

    def _feed(self, path: str, handler) -> Iterator[None]:
        parser = handler.parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.data
        # No DTD, so no entity can be declared: no "billion laughs", no external entities.
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.ExternalEntityRefHandler = _refuse_dtd
        for chunk in self._chunks(path):
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
        yield

    def _parse(self, path: str, handler):
        for _ in self._feed(path, handler):
            if handler.done:
                break
        return handler

    def rows(self) -> Iterator[tuple[int, list]]:
        handler = _SheetHandler(self)
        try:
            for _ in self._feed(self.sheet_path, handler):
                yield from handler.finished
                handler.finished.clear()
        except _ARCHIVE_ERRORS:
            raise TableError(UNREADABLE_XLSX) from None

    def value(self, kind: str, style: int, text: str | None):
        """A cell's value as openpyxl (read-only, data only) gives it; text is its <v> or inline string."""
        if not text:  # no <v>, or an empty one (a formula never calculated)
            return None
        if kind == "inlineStr" or kind == "str" or kind == "e":
            return text
        if kind == "s":
            return self.shared[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        number = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if style in self.date_styles:
            try:
                return from_excel(number, self.epoch, timedelta=style in self.timedelta_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number


class _Handler:
    done = False
    parser = None  # the expat parser feeding this handler

    def start(self, name, attrs):
        pass

    def end(self, name):
        pass

    def data(self, text):
        pass


class _RelationshipsHandler(_Handler):
    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.rels: dict[str, tuple[str, str]] = {}

    def start(self, name, attrs):
        if _LOCAL[name] == "Relationship" and attrs.get("TargetMode") != "External":
            if len(self.rels) >= self.limits.parts:
                raise TableError("The workbook lists too many parts to be a spreadsheet.")
            kind = attrs.get("Type", "").rpartition("/")[2]
            self.rels[attrs.get("Id", "")] = (kind, attrs.get("Target", ""))


class _WorkbookHandler(_Handler):
    """The 1904 date system flag and the first worksheet (openpyxl's worksheets[0]: chart sheets do not count)."""

    def __init__(self, rels: dict[str, tuple[str, str]]):
        self.rels = rels
        self.date1904 = False
        self.sheet: str | None = None

    def start(self, name, attrs):
        local = _LOCAL[name]
        if local == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif local == "sheet" and self.sheet is None:  # expat finishes its chunk after `done`
            rel_id = next((v for k, v in attrs.items() if _LOCAL[k] == "id"), "")
            kind, path = self.rels.get(rel_id, ("", ""))
            if kind == "worksheet":
                self.sheet, self.done = path, True


class _TextCollector(_Handler):
    """Collects the text of <t> elements outside phonetic runs (<rPh>), as openpyxl's Text.content does."""

    def __init__(self):
        self.parts: list[str] | None = None  # not None while inside a string
        self.size = 0
        self.in_text = False
        self.in_phonetic = False

    def begin_text(self):
        self.parts, self.size = [], 0

    def text_start(self, local):
        if local == "t" and self.parts is not None and not self.in_phonetic:
            self.in_text = True
        elif local == "rPh":
            self.in_phonetic = True

    def text_end(self, local):
        if local == "t":
            self.in_text = False
        elif local == "rPh":
            self.in_phonetic = False

    def data(self, text):
        if self.in_text:
            self.size += len(text)
            if self.size > MAX_CELL_CHARS:
                raise TableError(f"A cell holds more than {MAX_CELL_CHARS} characters, Excel's own limit.")
            self.parts.append(text)


class _SharedStringsHandler(_TextCollector):
    def __init__(self, limits: TableLimits):
        super().__init__()
        self.limits = limits
        self.strings: list[str] = []

    def start(self, name, attrs):
        local = _LOCAL[name]
        if local == "si":
            if len(self.strings) >= self.limits.shared_strings:
                raise TableError("The workbook holds too many distinct texts to be a class list or question bank.")
            self.begin_text()
        else:
            self.text_start(local)

    def end(self, name):
        local = _LOCAL[name]
        if local == "si" and self.parts is not None:
            self.strings.append("".join(self.parts).replace("x005F_", ""))
            self.parts = None
        else:
            self.text_end(local)


class _StylesHandler(_Handler):
    """Custom number formats and each cell format's number format id (cellXfs, in order)."""

    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_cell_formats = False

    def start(self, name, attrs):
        local = _LOCAL[name]
        if local == "numFmt":
            if len(self.custom) >= self.limits.styles:
                raise TableError("The workbook has too many number formats to be a spreadsheet.")
            self.custom[int(attrs.get("numFmtId", 0))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            self.in_cell_formats = True
        elif local == "xf" and self.in_cell_formats:
            if len(self.formats) >= self.limits.styles:
                raise TableError("The workbook has too many cell formats to be a spreadsheet.")
            self.formats.append(int(attrs.get("numFmtId", 0)))

    def end(self, name):
        if _LOCAL[name] == "cellXfs":
            self.in_cell_formats = False


class _SheetHandler(_TextCollector):
    """Rows of a worksheet as (row number, values): values by column, None where a cell is missing, at most
    limits.columns of them. Nothing is padded to a declared dimension and empty <row/>s are not reported.

    Cells come in column order (the format requires it), so the first cell past the cap ends what is kept of its
    row: until </row> only end tags reach Python at all (a row of a million cells costs a third of the calls)."""

    def __init__(self, book: _Book):
        super().__init__()
        self.book = book
        self.columns = book.limits.columns
        self.finished: list[tuple[int, list]] = []
        self.row_number = 0
        self.values: list | None = None
        self.column = 0
        self.cell: tuple[int, str, int] | None = None  # (column, type, style) of a cell being kept

    def start(self, name, attrs):
        local = _LOCAL[name]
        if local == "c":
            ref = attrs.get("r")
            self.column = _column_index(ref) if ref else self.column + 1
            if self.values is None:  # a cell outside any row
                self.cell = None
            elif self.column > self.columns:
                self.cell = None
                self._skip_rest_of_row()
            else:
                self.cell = (self.column, attrs.get("t", "n"), int(attrs.get("s") or 0))
        elif self.cell is None:
            if local == "row":
                number = attrs.get("r")
                self.row_number = int(number) if number else self.row_number + 1
                self.values, self.column = [], 0
        elif local == "v":
            self.begin_text()
            self.in_text = True
        elif local == "is":
            self.begin_text()
        else:
            self.text_start(local)

    def end(self, name):
        local = _LOCAL[name]
        if local == "c":
            if self.cell is not None:
                column, kind, style = self.cell
                text = "".join(self.parts) if self.parts is not None else None
                self.values.extend([None] * (column - len(self.values)))
                self.values[column - 1] = self.book.value(kind, style, text)
            self.cell, self.parts = None, None
        elif local == "row":
            if self.values:
                self.finished.append((self.row_number, self.values))
            self.values = None
        elif self.cell is not None:
            self.text_end(local)
            if local == "v":
                self.in_text = False

    def _skip_rest_of_row(self):
        self.parser.StartElementHandler = self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = self._end_while_skipping

    def _end_while_skipping(self, name):
        if _LOCAL[name] == "row":
            self.parser.StartElementHandler = self.start
            self.parser.CharacterDataHandler = self.data
            self.parser.EndElementHandler = self.end
            self.end(name)


def _column_index(ref: str) -> int:
    """1 for "A7", 28 for "AB7"; anything past three letters (XFD is the last real column) is past every cap."""
    letters = ref.rstrip("0123456789")
    if not letters or len(letters) > 3:
        return 1 << 20
    index = 0
    for letter in letters.upper():
        index = index * 26 + (ord(letter) - 64)
    return index
