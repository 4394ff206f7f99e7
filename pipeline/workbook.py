"""Workbook: what an .xlsx file holds beyond its cells' text, checked before its cells are used.

- Bounds: an .xlsx is a zip archive, and a small one can expand to gigabytes (a "zip bomb": a
  shared-strings part of one repeated string). Before any part is expanded, the sizes the archive
  declares are checked: a part may expand to ENTRY_LIMIT bytes, or beyond that to at most
  RATIO_LIMIT times its compressed size, and the whole workbook to WORKBOOK_LIMIT bytes.
- Formulas without a value: a workbook written by a program that does not calculate holds
  formulas with no cached value (no <v>), or with a placeholder value and a flag asking the
  spreadsheet to calculate everything on opening (fullCalcOnLoad). Reading such a cell would
  invent a value (=1/2 read as 0); the rows holding one are found here, to be quarantined.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

ENTRY_LIMIT = 64 << 20  # bytes any one part may expand to whatever its compression
RATIO_LIMIT = 100  # beyond ENTRY_LIMIT, how many times its compressed size a part may expand
WORKBOOK_LIMIT = 2 << 30  # bytes the whole workbook may expand to
FIRST_SHEET = rb'<sheet\b[^>]*?\br:id="([^"]+)"'
RELATIONSHIP = rb'<Relationship\b[^>]*?\bId="{}"[^>]*?\bTarget="([^"]+)"'
CELL_START = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*>')
FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.DOTALL)
VALUE = re.compile(rb"<v>(.*?)</v>", re.DOTALL)
FIRST_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell of the first sheet whose value the workbook does not hold."""

    row_number: int  # among the data rows: 1 = the first row after the header
    column_index: int  # 0 = column A
    formula: str


def expansion_problem(content: bytes) -> str | None:
    """Return why a workbook would expand too far to be read, or None when it is within bounds."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile:
        return None  # not a zip: the reader says what it is
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > ENTRY_LIMIT and ratio > RATIO_LIMIT:
            return (f"its part {entry.filename} would expand {entry.compress_size:,} bytes to"
                    f" {entry.file_size:,} ({ratio:,.0f} times): refused unread, as a zip bomb"
                    f" (a part may expand to {ENTRY_LIMIT >> 20} MB, or {RATIO_LIMIT} times)")
    if total > WORKBOOK_LIMIT:
        return (f"it would expand to {total:,} bytes: refused unread (a workbook may expand to"
                f" {WORKBOOK_LIMIT >> 30} GB; split it, or save it as CSV)")
    return None


def uncached_formulas(content: bytes) -> list[UncachedFormula]:
    """Return the formula cells of the first sheet that hold no calculated value.

    Only formula cells are looked at (found by a search of the sheet's XML, not cell by cell).
    """
    archive = zipfile.ZipFile(io.BytesIO(content))
    sheet_path = _first_sheet_path(archive)
    if sheet_path is None:
        return []
    sheet = archive.read(sheet_path)
    if b"<f" not in sheet:
        return []
    recalculated = b"fullCalcOnLoad" in archive.read("xl/workbook.xml")
    first_row = FIRST_ROW.search(sheet)
    header_row = int(first_row[1]) if first_row else 1
    found = []
    for formula in FORMULA.finditer(sheet):
        start = sheet.rfind(b"<c", 0, formula.start())
        cell = CELL_START.match(sheet, start)
        end = sheet.find(b"</c>", formula.end())
        value = VALUE.search(sheet, formula.end(), end if end >= 0 else len(sheet))
        if cell is None or (value is not None and value[1] and not recalculated):
            continue
        found.append(UncachedFormula(int(cell[2]) - header_row, _column_index(cell[1]),
                                     html.unescape((formula[1] or b"").decode("utf-8", "replace"))))
    return [each for each in found if each.row_number >= 1]


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """Return the archive path of the workbook's first sheet, or None if it names none."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relationships = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheet = re.search(FIRST_SHEET, workbook)
    if sheet is None:
        return None
    target = re.search(RELATIONSHIP.replace(b"{}", re.escape(sheet[1])), relationships)
    if target is None:
        return None
    path = target[1].decode("utf-8")
    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"


def _column_index(letters: bytes) -> int:
    """Return a column's index from its letters: A is 0, Z 25, AA 26."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - ord("A") + 1
    return index - 1
