import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from attempts.models import AttemptStatus
from quizsite.tabular import TableError, TableLimits, read_table, safe_cell, write_csv, write_xlsx
from quizsite.tabular.limits import Deadline
from quizsite.tabular.xlsx import xlsx_rows
from quizsite.tests import hostile_files
from quizzes.models import QuizStatus
from tests.factories import QuizAttemptFactory, QuizFactory


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_like_text_is_defused(value):
    assert safe_cell(value) == "'" + value


def test_numbers_and_plain_text_are_untouched():
    assert safe_cell(-3) == -3
    assert safe_cell("Alice") == "Alice"


def test_csv_has_bom_and_escapes():
    data = write_csv(["name"], [['=HYPERLINK("x")'], ["Zoë"]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "Zoë" in text


def test_csv_round_trip_with_semicolons_bom_and_blank_lines():
    raw = "\ufeffName ; Registration Number\r\nAlice ; STU1\r\n\r\n Bob;STU2 \r\n".encode()
    headers, rows = read_table(SimpleUploadedFile("s.csv", raw))
    assert headers == ["name", "registration_number"]
    assert [(r["name"], r["registration_number"], r["__row__"]) for r in rows] == [
        ("Alice", "STU1", 2),
        ("Bob", "STU2", 4),
    ]


def test_xlsx_round_trip():
    data = write_xlsx(["Name", "Email"], [["Alice", "a@x.test"], ["=evil()", "b@x.test"]])
    headers, rows = read_table(SimpleUploadedFile("s.xlsx", data))
    assert headers == ["name", "email"]
    assert rows[1]["name"] == "'=evil()"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.pdf", b"%PDF-1.4", "Only .csv and .xlsx"),
        ("s.csv", b"\x00\x01\x02binary", "not a text CSV"),
        ("s.csv", "naïve".encode("latin-1"), "UTF-8"),
        ("s.csv", b"", "empty"),
        ("s.xlsx", b"PK\x03\x04garbage", "not a readable .xlsx"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name, content, message):
    with pytest.raises(TableError, match=message):
        read_table(SimpleUploadedFile(name, content))


def test_row_and_size_limits():
    raw = "name\n" + "x\n" * 11
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(SimpleUploadedFile("s.csv", raw.encode()), max_rows=10)
    with pytest.raises(TableError, match="larger than"):
        read_table(io.BytesIO(b"a" * 2048), max_bytes=1024)


# --- reading real workbooks: what openpyxl gave before, the streaming reader gives now ----------------------------
def _openpyxl_workbook(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_values_as_a_spreadsheet_program_saves_them():
    def build(workbook):
        sheet = workbook.active
        sheet.title = "Students"
        sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"] = "Name", "Date of birth", "Marks", "Active"
        sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = " Zoë ", date(2010, 5, 1), 7.0, True
        sheet["B5"], sheet["C5"], sheet["D5"] = "Bob", datetime(2011, 2, 3, 14, 30), 2.5
        sheet["F5"] = "=1+1"  # a formula: openpyxl saves no cached value, so it reads as empty
        workbook.create_sheet("Ignored")["A1"] = "second sheet"

    headers, rows = read_table(SimpleUploadedFile("s.xlsx", _openpyxl_workbook(build)))
    assert headers == ["", "name", "date_of_birth", "marks", "active"]
    assert rows == [
        {"name": "Zoë", "date_of_birth": "2010-05-01", "marks": "7", "active": "True", "__row__": 3},
        {"name": "Bob", "date_of_birth": "2011-02-03T14:30:00", "marks": "2.5", "active": "", "__row__": 5},
    ]


def test_xlsx_cells_past_the_column_cap_are_ignored():
    data = write_xlsx([f"col {i}" for i in range(60)], [list(range(60))])
    headers, rows = read_table(SimpleUploadedFile("s.xlsx", data))
    assert headers == [f"col_{i}" for i in range(50)]
    assert rows[0]["col_49"] == "49" and "col_50" not in rows[0]


# --- hostile uploads --------------------------------------------------------------------------------------------
# Each runs in a child process with a 2 GB address-space cap and a timeout, so that a regression fails the test
# instead of taking the machine down; the child reports the time and tracemalloc's peak.
CHILD = """
import io, json, resource, sys, time, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from quizsite import tabular
path, max_rows, limits = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
upload = io.BytesIO(open(path, "rb").read())
upload.name = "hostile.xlsx"
kwargs = {"limits": tabular.TableLimits(**limits)} if limits else {}
tracemalloc.start()
start = time.monotonic()
try:
    headers, rows = tabular.read_table(upload, max_rows=max_rows, **kwargs)
    result = {"headers": headers[:3], "rows": len(rows)}
except tabular.TableError as exc:
    result = {"error": str(exc)}
result["seconds"] = time.monotonic() - start
result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")

    def path(name: str) -> str:
        target = folder / name
        if not target.exists():
            target.write_bytes(hostile_files.HOSTILE_FILES[name]())
        return str(target)

    return path


def read_in_child(path: str, *, max_rows: int = 20000, **limits) -> dict:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, path, str(max_rows), json.dumps(limits)],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            cwd=root,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading the hostile file took more than 30 s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_zip_bomb_is_refused_from_the_zip_directory(hostile):
    path = hostile("zip-bomb.xlsx")
    assert 1_500_000 < os.path.getsize(path) < 3_500_000  # ~2 MB, ~320 MB of sheet XML, 3 million rows
    result = read_in_child(path)
    assert result.get("error", "").startswith("The workbook unpacks to more than 50 MB")
    assert result["seconds"] < 2 and result["peak_mb"] < 10


def test_zip_bomb_that_passes_the_directory_checks_stops_at_the_row_limit(hostile):
    result = read_in_child(hostile("zip-bomb.xlsx"), max_rows=1000, unpacked_bytes=2**40, ratio=10**9)
    assert result.get("error") == "The file has more than 1000 rows; split it into smaller files."
    assert result["seconds"] < 2 and result["peak_mb"] < 10


def test_reading_stops_at_the_deadline(hostile):
    result = read_in_child(hostile("zip-bomb.xlsx"), max_rows=10**9, unpacked_bytes=2**40, ratio=10**9, seconds=0.3)
    assert result.get("error") == "Reading the file took longer than 0.3 seconds; split it into smaller files."
    assert result["seconds"] < 2 and result["peak_mb"] < 10


def test_a_declared_dimension_is_ignored(hostile):
    path = hostile("declared-dimension.xlsx")
    assert os.path.getsize(path) < 2000
    result = read_in_child(path)
    assert result.get("error") is None and result["headers"] == ["name", "registration_number"]
    assert result["rows"] == 1  # Eve; the far corner cell is past the column cap
    assert result["seconds"] < 2 and result["peak_mb"] < 10


def test_a_row_of_a_million_cells_is_refused_and_a_wide_row_is_cut_at_the_column_cap(hostile, tmp_path):
    assert read_in_child(hostile("wide-row.xlsx"))["error"].startswith("The workbook unpacks to more than 100 times")
    # Past the directory checks, a row of 200,000 cells is cut at 50 without being built.
    path = tmp_path / "wide.xlsx"
    path.write_bytes(hostile_files.wide_row(200_000))
    result = read_in_child(str(path), ratio=10**9)
    assert result.get("error") == "The file has no header row." or result["headers"] == ["x", "x", "x"]
    assert result["seconds"] < 2 and result["peak_mb"] < 10


def test_entity_expansion_is_refused(hostile):
    result = read_in_child(hostile("entity-expansion.xlsx"))
    assert result.get("error", "").startswith("The workbook contains an XML document type declaration")


def test_a_cell_over_excels_limit_is_refused():
    sheet = ['<row r="1"><c t="inlineStr"><is><t>', "x" * 40_000, "</t></is></c></row>"]
    data = hostile_files.workbook(hostile_files._sheet(sheet))
    with pytest.raises(TableError, match="more than 32767 characters"):
        read_table(SimpleUploadedFile("s.xlsx", data))


def test_a_csv_cell_over_the_field_limit_is_a_table_error_not_a_crash():
    with pytest.raises(TableError, match="cannot be read"):
        read_table(SimpleUploadedFile("s.csv", b'name\n"' + b"x" * 200_000 + b'"\n'))


# --- control characters in exported cells ----------------------------------------------------------------------
def test_control_characters_are_dropped_before_the_formula_check():
    assert safe_cell("Ali\x01ce\x1f") == "Alice"
    assert safe_cell("\x01=cmd()") == "'=cmd()"
    assert safe_cell("line\none\ttab") == "line\none\ttab"  # XML holds these, so they stay


def test_xlsx_sheet_title_loses_what_excel_forbids():
    data = write_xlsx(["Name"], [["Ali\x01ce"]], title="Results: 10/A [draft]?\x02")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Results 10A draft" and sheet["A2"].value == "Alice"


def _exported_rows(response, fmt: str) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_student_export_survives_a_control_character_in_a_name(api_for, admin, student, fmt):
    student.user.name = "Ali\x01ce \x1bJohnson"
    student.user.save(update_fields=["name"])
    rows = _exported_rows(api_for(admin).get(f"/api/v1/students/export?format={fmt}"), fmt)
    assert rows[1][0] == "Alice Johnson"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_results_export_survives_a_control_character_in_a_quiz_title(api_for, teacher, student, fmt):
    quiz = QuizFactory(created_by=teacher, title="Frac\x01tions\x08 test", status=QuizStatus.PUBLISHED)
    QuizAttemptFactory(quiz=quiz, student=student, status=AttemptStatus.SUBMITTED, submitted_at=timezone.now())
    rows = _exported_rows(api_for(teacher).get(f"/api/v1/exports/quiz/{quiz.pk}/results?format={fmt}"), fmt)
    assert rows[1][:3] == ["Alice Johnson", "STU2026001", "Fractions test"]


# An .xlsx laid out as Excel saves one (shared strings with rich and phonetic runs, number formats in styles.xml, a
# namespace prefix, the first listed sheet not being sheet1.xml), which openpyxl's writer never produces.
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXCEL_PARTS = {
    "_rels/.rels": hostile_files.ROOT_RELS,
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{hostile_files.REL_NS}"><workbookPr date1904="{{date1904}}"/>'
        '<sheets><sheet name="Data" sheetId="3" r:id="rId3"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="{rel_id}" Type="{hostile_files.REL_NS}/{kind}" Target="{target}"/>'
            for rel_id, kind, target in [
                ("rId1", "worksheet", "worksheets/sheet1.xml"),
                ("rId3", "worksheet", "/xl/worksheets/sheet2.xml"),
                ("rId4", "sharedStrings", "sharedStrings.xml"),
                ("rId5", "styles", "styles.xml"),
            ]
        )
        + "</Relationships>"
    ),
    "xl/sharedStrings.xml": (
        f'<sst xmlns="{MAIN}" count="5" uniqueCount="5"><si><t>Name</t></si><si><t>Date of birth</t></si>'
        '<si><r><rPr><b/></rPr><t>Zo</t></r><r><t xml:space="preserve">ë </t></r></si>'
        '<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si><si><t>Marks</t></si></sst>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
        '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/>'
        '<xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="2"/></cellXfs></styleSheet>'
    ),
    "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    "<is><t>other sheet</t></is></c></row></sheetData></worksheet>",
    "xl/worksheets/sheet2.xml": (
        f'<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:C3"/><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="C1" t="s"><x:v>4</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="s"><x:v>2</x:v></x:c><x:c r="B2" s="1"><x:v>40299</x:v></x:c>'
        '<x:c r="C2" s="3"><x:v>7.5</x:v></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" t="s"><x:v>3</x:v></x:c><x:c r="B3" s="2"><x:v>40300</x:v></x:c>'
        '<x:c r="C3" t="str"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    ),
}


OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
EXCEL_CONTENT_TYPES = hostile_files.CONTENT_TYPES.replace(
    "</Types>",
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OOXML}.styles+xml"/></Types>',
)


def excel_style_workbook(*, date1904: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", EXCEL_CONTENT_TYPES)
        for name, text in EXCEL_PARTS.items():
            archive.writestr(name, text.replace("{date1904}", "1" if date1904 else "0"))
    return out.getvalue()


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # openpyxl, about the oracle's copy
@pytest.mark.parametrize("date1904", [False, True])
def test_an_excel_style_workbook_reads_as_openpyxl_reads_it(date1904):
    data = excel_style_workbook(date1904=date1904)
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    expected = [list(row) for row in sheet.values]
    rows = [values for _number, values in xlsx_rows(data, TableLimits(), Deadline(10))]
    assert rows == expected

    headers, table = read_table(SimpleUploadedFile("s.xlsx", data))
    born = ["2014-05-02", "2014-05-03"] if date1904 else ["2010-05-01", "2010-05-02"]
    assert headers == ["name", "date_of_birth", "marks"]
    assert table == [
        {"name": "Zoë", "date_of_birth": born[0], "marks": "7.5", "__row__": 2},
        {"name": "山田", "date_of_birth": born[1], "marks": "2", "__row__": 3},
    ]
