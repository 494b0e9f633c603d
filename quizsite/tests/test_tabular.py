import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quizsite.tabular import TableError, read_table, safe_cell, write_csv, write_xlsx


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
