"""Read: every reading rule of the contract, on tiny files under tests/reading/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipeline.contract import ExtractKind
from pipeline.errors import InputError
from pipeline.load import load_extract
from pipeline.read import ExtractFile, RawExtract, discover, read_extract
from tests.helpers import LOADED_AT, TESTS, NoRules, Opener, rows_of, run

READING = TESTS / "reading"
HEADER = ["snapshot_date", "jurisdiction", "agency_code", "agency_name", "position_id",
          "position_title", "classification"]
BASIC_ROWS = [
    {"row_number": 1, "snapshot_date": "2025-06-30", "jurisdiction": "APS", "agency_code": "DOF",
     "agency_name": "Department of Finance", "position_id": "P1",
     "position_title": "Deputy Secretary", "classification": "SES Band 3"},
    {"row_number": 2, "snapshot_date": "2025-06-30", "jurisdiction": "APS", "agency_code": "DOF",
     "agency_name": "Department of Finance", "position_id": "P2",
     "position_title": "Branch Manager", "classification": "SES Band 1"},
]


def read(path: Path, kind: ExtractKind = ExtractKind.POSITIONS) -> RawExtract:
    """Return a file as the pipeline reads it."""
    return read_extract(ExtractFile(path, path.name, kind))


def load(connection: duckdb.DuckDBPyConnection, raw: RawExtract) -> None:
    """Load a read extract with no suite rules (reading tests look at what was read)."""
    load_extract(connection, raw, NoRules(), LOADED_AT)  # type: ignore[arg-type]


# ---- Which files are extracts ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), [
    ("positions.csv", ExtractKind.POSITIONS),
    ("positions_2025-06.csv", ExtractKind.POSITIONS),
    ("Positions-VPS.XLSX", ExtractKind.POSITIONS),
    ("determinations_q1.parquet", ExtractKind.DETERMINATIONS),
    ("performance 2024-25.csv", ExtractKind.PERFORMANCE),
    ("MATURITY.csv", ExtractKind.MATURITY),
    ("aps/positions_dof.csv", ExtractKind.POSITIONS),  # in a subfolder
    ("readme.csv", None),
    ("notes_positions.csv", None),           # the prefix must come first
    ("positions.txt", None),                 # not a format the contract names
    ("positions.csv.bak", None),
    ("~$positions.xlsx", None),              # Excel's lock file
    ("staff.parquet", None),
])
def test_kind_comes_from_the_file_name_prefix(tmp_path: Path, name: str,
                                              kind: ExtractKind | None) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("x")
    (tmp_path / "maturity_anchor.csv").write_text("x")  # so that the folder is never empty
    found = {file.name: file.kind for file in discover(tmp_path)}
    expected = {"maturity_anchor.csv": ExtractKind.MATURITY}
    if kind is not None:
        expected[name] = kind
    assert found == expected


def test_a_folder_without_extracts_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "readme.csv").write_text("x")
    with pytest.raises(InputError) as caught:
        discover(tmp_path)
    assert str(caught.value) == (
        f"no extract files in {tmp_path}: expected positions*, determinations*, performance*, "
        "maturity* files ending in .csv, .xlsx, .parquet")


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist or is not a folder"):
        discover(tmp_path / "nowhere")


# ---- Encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["positions_basic.csv", "positions_bom.csv"])
def test_utf8_with_or_without_bom(name: str) -> None:
    raw = read(READING / name)
    assert raw.rows.columns == ["row_number", *HEADER]  # no BOM left on the first name
    assert raw.rows.to_dicts() == BASIC_ROWS
    assert raw.notes == ()


def test_cp1252_is_decoded_with_a_note() -> None:
    raw = read(READING / "positions_cp1252.csv")
    assert raw.rows.select("agency_name", "position_title").to_dicts() == [
        {"agency_name": "Département de la Justice", "position_title": "Director \u2013 Policy"}]
    assert raw.notes == ("not UTF-8 (invalid byte at offset 114): decoded as cp1252",)


# ---- Formats -----------------------------------------------------------------------------------

def write_workbook(path: Path) -> None:
    """Write a workbook whose first sheet holds positions and whose second sheet is notes."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Positions"
    sheet.append([*HEADER, "fte", "locations"])
    sheet.append([dt.datetime(2025, 6, 30), "APS", "DOF", "Department of Finance", 1001,
                  "Branch Manager", "SES Band 1", 1, 3])
    sheet.append(["30/06/2025", "APS", "DOF", "Department of Finance", "P2",
                  "Director", "EL2", 0.5, None])
    notes = book.create_sheet("Notes")
    notes.append(["this sheet is not read"])
    book.save(path)


def write_parquet(path: Path) -> None:
    """Write a Parquet extract with typed columns: a date, integers, floats."""
    pl.DataFrame({
        "snapshot_date": [dt.date(2025, 6, 30)], "jurisdiction": ["VPS"],
        "agency_code": ["DH"], "agency_name": ["Department of Health"],
        "position_id": [1002], "position_title": ["Executive Director"],
        "classification": ["SES-2"], "fte": [1.0], "staff_managed": [120.5],
        "budget_managed": [2_500_000], "locations": [4],
    }).write_parquet(path)


def test_xlsx_first_sheet_is_read_as_text(tmp_path: Path) -> None:
    write_workbook(tmp_path / "positions.xlsx")
    raw = read(tmp_path / "positions.xlsx")
    assert raw.rows.select("snapshot_date", "position_id", "fte", "locations").to_dicts() == [
        {"snapshot_date": "2025-06-30 00:00:00", "position_id": "1001", "fte": "1",
         "locations": "3"},
        {"snapshot_date": "30/06/2025", "position_id": "P2", "fte": "0.5", "locations": None},
    ]


def test_parquet_typed_columns_are_read_as_text(tmp_path: Path) -> None:
    write_parquet(tmp_path / "positions.parquet")
    raw = read(tmp_path / "positions.parquet")
    assert raw.rows.select("snapshot_date", "position_id", "fte", "budget_managed").to_dicts() \
        == [{"snapshot_date": "2025-06-30", "position_id": "1002", "fte": "1.0",
             "budget_managed": "2500000"}]


def test_xlsx_and_parquet_load_as_typed_values(tmp_path: Path, read_only: Opener) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_workbook(folder / "positions_dof.xlsx")
    write_parquet(folder / "positions_dh.parquet")
    summary = run(folder, tmp_path / "w.duckdb", stages=False)
    assert [(f.source_file, f.rows_loaded, f.rows_quarantined) for f in summary.files] == [
        ("positions_dh.parquet", 1, 0), ("positions_dof.xlsx", 2, 0)]
    connection = read_only(tmp_path / "w.duckdb")
    assert rows_of(connection, "select position_id, snapshot_date, classification_code, fte,"
                               " budget_managed, locations from positions order by position_id"
                   ) == [
        {"position_id": "1001", "snapshot_date": dt.date(2025, 6, 30),
         "classification_code": "SES1", "fte": 1.0, "budget_managed": None, "locations": 3},
        {"position_id": "1002", "snapshot_date": dt.date(2025, 6, 30),
         "classification_code": "SES2", "fte": 1.0, "budget_managed": 2_500_000.0,
         "locations": 4},
        {"position_id": "P2", "snapshot_date": dt.date(2025, 6, 30),
         "classification_code": "EL2", "fte": 0.5, "budget_managed": None, "locations": None},
    ]


# ---- Headers -----------------------------------------------------------------------------------

def test_header_matching_ignores_case_and_surrounding_spaces() -> None:
    raw = read(READING / "positions_header_spacing.csv")
    assert raw.rows.columns == ["row_number", *HEADER]
    assert raw.rows.row(0) == (1, "2025-06-30", "WA", "DPC", "Premier and Cabinet", "W1",
                               "Director General", "CEO Band 1")


def test_unknown_extra_columns_are_kept_in_the_raw_layer(
        memory: duckdb.DuckDBPyConnection) -> None:
    load(memory, read(READING / "positions_extra_columns.csv"))
    extras = [json.loads(value) for (value,) in memory.execute(
        "select extra_columns from raw_positions order by row_number").fetchall()]
    assert extras == [{"cost_centre": "CC-100", "notes": "acting until March"},
                      {"cost_centre": None, "notes": None}]
    staged_columns = {row[0] for row in memory.execute("describe positions").fetchall()}
    assert not staged_columns & {"cost_centre", "notes", "extra_columns"}  # ignored downstream


def test_a_missing_required_column_names_the_file_and_the_column() -> None:
    with pytest.raises(InputError) as caught:
        read(READING / "positions_missing_column.csv")
    assert (caught.value.source_file, caught.value.column) == (
        "positions_missing_column.csv", "position_title")
    assert str(caught.value).startswith(
        "file positions_missing_column.csv, column 'position_title': required column is missing")


@pytest.mark.parametrize(("name", "column"), [
    ("positions_repeated_column.csv", "fte"),
    ("positions_two_spellings.csv", "position_id"),   # `Position ID` and `position_id`
])
def test_a_column_given_twice_is_an_input_error(name: str, column: str) -> None:
    with pytest.raises(InputError) as caught:
        read(READING / name)
    assert str(caught.value) == f"file {name}, column '{column}': appears more than once in " \
                                "the header"


def test_a_column_given_twice_in_a_workbook_is_an_input_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append([*HEADER, "classification"])
    book.active.append(["2025-06-30", "APS", "DOF", "Finance", "P1", "Director", "EL2", "EL1"])
    book.save(tmp_path / "positions.xlsx")
    with pytest.raises(InputError, match="column 'classification': appears more than once"):
        read(tmp_path / "positions.xlsx")


# ---- Lines that do not fit ---------------------------------------------------------------------

def test_a_ragged_line_is_quarantined_not_dropped(memory: duckdb.DuckDBPyConnection) -> None:
    raw = read(READING / "positions_ragged.csv")
    assert raw.rows["position_id"].to_list() == ["P1", "P3"]
    assert raw.rows["row_number"].to_list() == [1, 3]
    assert raw.rows_read == 3
    load(memory, raw)
    assert rows_of(memory, "select rows_read, rows_loaded, rows_quarantined from load_audit") \
        == [{"rows_read": 3, "rows_loaded": 2, "rows_quarantined": 1}]
    [(number, reason, record)] = memory.execute(
        "select row_number, reason, raw_record from quarantine").fetchall()
    assert number == 2
    assert reason == ("the line has more fields than the header's 7 columns (is a value with a"
                      " comma not quoted?); the values past the last column: 'SES Band 1'")
    assert json.loads(record) == {"line": "2025-06-30,APS,DOF,Department of Finance,P2,Manager,"
                                          " Budget Policy,SES Band 1"}


def test_empty_lines_are_skipped_with_a_note_and_rows_keep_their_numbers() -> None:
    raw = read(READING / "positions_blank_lines.csv")
    assert raw.rows.select("row_number", "position_id").rows() == [(1, "P1"), (4, "P2")]
    assert raw.notes == ("3 empty row(s) skipped",)  # a blank line, ",,,,,," and the last line
