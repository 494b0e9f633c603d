"""Hostile spreadsheets, built on demand (small on disk, nothing binary committed).

Each builder returns the bytes of an .xlsx an attacker could upload to /students/bulk-import or
/questions/bulk-import. The tests feed them to quizsite.tabular.read_table; `python -m quizsite.tests.hostile_files
DIR` writes them all to DIR for a manual or scripted attack against a running server.
"""

from __future__ import annotations

import io
import sys
import zipfile
from functools import cache
from pathlib import Path

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>registration_number</t></is></c></row>'
)
# A data row without row or cell references: identical rows compress about 1000:1.
BOMB_ROW = '<row><c t="inlineStr"><is><t>Mallory Bomb</t></is></c><c t="inlineStr"><is><t>STU0000001</t></is></c></row>'


def workbook(sheet_parts, *, level: int = 9) -> bytes:
    """A minimal valid .xlsx whose first sheet's XML is the concatenation of `sheet_parts` (streamed into the
    zip, so a sheet of hundreds of megabytes never sits in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part.encode())
    return out.getvalue()


def _sheet(body_parts, *, dimension: str | None = None):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from body_parts
    yield "</sheetData></worksheet>"


@cache
def zip_bomb(rows: int = 3_000_000) -> bytes:
    """A header and `rows` identical student rows (~2 MB zipped at 3 M rows, ~250 MB of sheet XML)."""

    def body():
        yield HEADER_ROW
        chunk = BOMB_ROW * 10_000
        for _ in range(rows // 10_000):
            yield chunk
        yield BOMB_ROW * (rows % 10_000)

    # Deflate level 1 keeps building fast; the ratio is still far past any sane limit.
    return workbook(_sheet(body()), level=1)


@cache
def declared_dimension() -> bytes:
    """~1.5 KB: a <dimension> claiming the whole sheet (16,384 columns x 1,048,576 rows), one real row, and one
    cell in the very last row and column. A reader that trusts the dimension pads every missing row to 16,384
    cells: a million of them."""
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Eve</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>STU1</t></is></c></row>'
    )
    last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook(_sheet([HEADER_ROW, row, last], dimension="A1:XFD1048576"))


@cache
def wide_row(cells: int = 1_000_000) -> bytes:
    """A header row of a million cells (a column cap must drop them without building them all)."""
    return workbook(_sheet(['<row r="1">', '<c t="inlineStr"><is><t>x</t></is></c>' * cells, "</row>"]))


@cache
def entity_expansion() -> bytes:
    """The "billion laughs": a DTD whose entities expand to gigabytes."""
    dtd = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
    )
    cell = '<c t="inlineStr"><is><t>&j;</t></is></c>'
    sheet = f'{dtd}<worksheet {NS}><sheetData><row r="1">{cell}</row></sheetData></worksheet>'
    return workbook([sheet])


HOSTILE_FILES = {
    "zip-bomb.xlsx": zip_bomb,
    "declared-dimension.xlsx": declared_dimension,
    "wide-row.xlsx": wide_row,
    "entity-expansion.xlsx": entity_expansion,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m quizsite.tests.hostile_files DIR", file=sys.stderr)
        return 2
    target = Path(argv[0])
    target.mkdir(parents=True, exist_ok=True)
    for name, build in HOSTILE_FILES.items():
        data = build()
        (target / name).write_bytes(data)
        print(f"{target / name}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
