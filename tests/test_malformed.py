"""Malformed extracts of each kind, through the CLI: a clear answer for each, never a lost row.

Files with bad rows (tests/malformed/*_malformed.csv, one defect per row) run with exit 0 and
every bad row quarantined with a reason naming the column and the value; files that cannot be
used at all stop the run with exit 2 and one message naming the file (and the column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.contract import SPECS, ExtractKind
from tests.helpers import copy_fixtures, flat, reasons_by_row, rows_of

MALFORMED = "malformed"
QUARANTINING = ("positions_malformed.csv", "determinations_malformed.csv",
                "performance_malformed.csv", "maturity_malformed.csv",
                "positions_header_only.csv", "positions_not_utf8.csv")
NOT_A_DATE = "is not a date (write YYYY-MM-DD or DD/MM/YYYY; dates are never read month-first)"
FUTURE = "is in the future (the run date is the latest date accepted)"


@dataclass(frozen=True)
class Ran:
    """One CLI run of the quarantining files, and its warehouse opened read-only."""

    result: Result
    connection: duckdb.DuckDBPyConnection


def invoke(input_dir: Path, warehouse: Path) -> Result:
    """Return the result of `workvalue run` through the CLI, in process."""
    return CliRunner().invoke(app, ["run", "--input", str(input_dir),
                                    "--warehouse", str(warehouse)])


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    """Return the run of every quarantining file, loaded together into one warehouse."""
    root = tmp_path_factory.mktemp("malformed")
    result = invoke(copy_fixtures(MALFORMED, *QUARANTINING, into=root / "in"), root / "w.duckdb")
    connection = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    yield Ran(result, connection)
    connection.close()


def test_bad_rows_are_not_a_failure(ran: Ran) -> None:
    assert ran.result.exit_code == 0, ran.result.output
    assert "Traceback" not in ran.result.output
    lines = ran.result.output.splitlines()
    assert lines[6].startswith("6 files (0 unchanged): 55 rows read, 10 loaded, 45 quarantined")
    assert lines[:6] == [
        "determinations_malformed.csv: loaded: 14 read, 2 loaded, 12 quarantined",
        "maturity_malformed.csv: loaded: 11 read, 2 loaded, 9 quarantined",
        "performance_malformed.csv: loaded: 10 read, 3 loaded, 7 quarantined",
        "positions_header_only.csv: loaded: 0 read, 0 loaded, 0 quarantined (no rows: the "
        "publisher sent the header only)",
        "positions_malformed.csv: loaded: 19 read, 2 loaded, 17 quarantined",
        "positions_not_utf8.csv: loaded: 1 read, 1 loaded, 0 quarantined (not UTF-8 (invalid "
        "byte at offset 114): decoded as cp1252)",
    ]


EXPECTED_REASONS = {
    "positions_malformed.csv": {
        2: "agency_name is required but empty",
        3: f"snapshot_date: '12/31/2024' {NOT_A_DATE}",
        4: "fte: 1.5 must be between 0 and 1",
        5: "budget_managed: -250000 must not be negative",
        6: "staff_managed: 'lots' is not a number",
        7: f"snapshot_date: 2099-06-30 {FUTURE}",
        8: "jurisdiction: 'NSW' is not a known jurisdiction (data/jurisdictions.toml)",
        # 9: every cell with spaces around it: trimmed and loaded
        10: "jurisdiction='APS', agency_code='DOF', snapshot_date=2025-06-30, position_id='P10' "
            "appears more than once for this agency and snapshot date",
        11: "jurisdiction='APS', agency_code='DOF', snapshot_date=2025-06-30, position_id='P10' "
            "appears more than once for this agency and snapshot date",
        12: "occupancy: 'filled' is not one of occupied, vacant, acting",
        13: "locations: '2.5' is not a whole number",
        14: f"snapshot_date: '30/06/25' {NOT_A_DATE}",
        15: "position_id is required but empty",
        16: "classification is required but empty",
        17: "planning_horizon_years: 75 must be between 0 and 50 years",
        18: "fte: 'NaN' is not a number",
        19: f"snapshot_date: '12/31/2024' {NOT_A_DATE}; fte: 2 must be between 0 and 1",
    },
    "determinations_malformed.csv": {
        2: "determination_id is required but empty",
        3: f"decision_date: '13/25/2024' {NOT_A_DATE}",
        4: "knowledge: 9 must be a work value score from 1 to 7",
        5: "impact: '4.5' is not a whole number",
        6: "breadth: 0 must be a work value score from 1 to 7",
        7: "total_points: -3 must not be negative",
        8: f"decision_date: 2099-01-01 {FUTURE}",
        9: "jurisdiction: 'VICTORIA' is not a known jurisdiction (data/jurisdictions.toml)",
        10: "determination_id: 'D10' appears more than once in this file",
        11: "determination_id: 'D10' appears more than once in this file",
        12: "relationships: 'five' is not a whole number",
        # 13: spaces around every cell: loaded
        14: "decision_date is required but empty",
    },
    "performance_malformed.csv": {
        2: "outcomes_rating: 'excellent' is not a rating of the framework's scale",
        3: "overall_rating is required but empty",
        # 4: 'Highly  Effective' and 'EFFECTIVE': case and spacing are normalised
        5: "jurisdiction: 'XYZ' is not a known jurisdiction (data/jurisdictions.toml)",
        6: "cycle='2024-25', jurisdiction='APS', agency_code='DOF', position_id='P6' appears "
           "more than once for this cycle",
        7: "cycle='2024-25', jurisdiction='APS', agency_code='DOF', position_id='P6' appears "
           "more than once for this cycle",
        8: "cycle is required but empty",
        9: "overall_rating: '4' is not a rating of the framework's scale",
    },
    "maturity_malformed.csv": {
        2: "maturity_level: 5 must be a maturity level from 1 (initial) to 4 (leading)",
        3: "maturity_level: '4.5' is not a whole number",
        4: "maturity_level: 'advanced' is not a whole number",
        5: "element: 'leadership' is not an element of the framework",
        6: "maturity_level: 0 must be a maturity level from 1 (initial) to 4 (leading)",
        7: "year='2025', jurisdiction='APS', agency_code='DHA', element='expectations' appears "
           "more than once for this agency, element and year",
        8: "year='2025', jurisdiction='APS', agency_code='DHA', element='expectations' appears "
           "more than once for this agency, element and year",
        9: "year is required but empty",
        11: "maturity_level is required but empty",
    },
}


@pytest.mark.parametrize("source_file", list(EXPECTED_REASONS))
def test_each_bad_row_is_quarantined_with_its_reason(ran: Ran, source_file: str) -> None:
    assert reasons_by_row(ran.connection, source_file) == EXPECTED_REASONS[source_file]


@pytest.mark.parametrize("source_file", list(EXPECTED_REASONS))
def test_every_reason_starts_with_the_columns_it_concerns(ran: Ran, source_file: str) -> None:
    kind = ExtractKind(source_file.split("_")[0])
    for reason in reasons_by_row(ran.connection, source_file).values():
        column = reason.split(":")[0].split("=")[0].split(" ")[0]
        assert column in SPECS[kind].columns, reason


@pytest.mark.parametrize(("source_file", "table", "data_lines"), [
    ("positions_malformed.csv", "positions", 19),
    ("determinations_malformed.csv", "determinations", 14),
    ("performance_malformed.csv", "performance_ratings", 10),
    ("maturity_malformed.csv", "maturity_assessments", 11),
    ("positions_header_only.csv", "positions", 0),
    ("positions_not_utf8.csv", "positions", 1),
])
def test_no_row_is_lost(ran: Ran, source_file: str, table: str, data_lines: int) -> None:
    loaded = {n for (n,) in ran.connection.execute(
        f"select row_number from {table} where source_file = ?", [source_file]).fetchall()}
    quarantined = set(reasons_by_row(ran.connection, source_file))
    assert not loaded & quarantined
    assert loaded | quarantined == set(range(1, data_lines + 1))
    assert rows_of(ran.connection, "select rows_read, rows_loaded, rows_quarantined"
                                   " from load_audit where source_file = ?", [source_file]) == [
        {"rows_read": data_lines, "rows_loaded": len(loaded),
         "rows_quarantined": len(quarantined)}]


def test_spaces_around_values_are_trimmed(ran: Ran) -> None:
    assert rows_of(ran.connection, """
        select snapshot_date, jurisdiction, agency_code, agency_name, position_id, occupancy,
            staff_managed, classification_code
        from positions where source_file = 'positions_malformed.csv' and row_number = 9""") == [
        {"snapshot_date": dt.date(2025, 6, 30), "jurisdiction": "APS", "agency_code": "DOF",
         "agency_name": "Department of Finance", "position_id": "P9", "occupancy": "occupied",
         "staff_managed": 80.0, "classification_code": "SES1"}]
    assert rows_of(ran.connection, "select outcomes_rating, behaviours_rating, overall_rating"
                                   " from performance_ratings where position_id = 'P4'") == [
        {"outcomes_rating": "effective", "behaviours_rating": "highly effective",
         "overall_rating": "effective"}]


def test_a_file_that_is_not_utf8_is_decoded(ran: Ran) -> None:
    assert rows_of(ran.connection, "select agency_name, position_title from positions"
                                   " where source_file = 'positions_not_utf8.csv'") == [
        {"agency_name": "Département de la Justice", "position_title": "Director \u2013 Policy"}]


@pytest.mark.parametrize(("source_file", "message"), [
    ("positions_empty.csv", "error: file positions_empty.csv: is empty: no header row"),
    ("performance_empty.xlsx", "error: file performance_empty.xlsx: is empty"),
    ("positions_renamed.xlsx",
     "error: file positions_renamed.xlsx: is not an Excel workbook: an .xlsx file is a zip "
     "archive (is it another kind of file renamed .xlsx?)"),
    ("maturity_garbage.parquet",
     "error: file maturity_garbage.parquet: is not a Parquet file (is it another kind of file "
     "renamed .parquet?)"),
    ("determinations_missing_column.csv",
     "error: file determinations_missing_column.csv, column 'decision_date': required column "
     "is missing (the header has: determination_id, jurisdiction, agency_code, position_id, "
     "determined_classification)"),
    ("maturity_blank_header.csv",
     "error: file maturity_blank_header.csv, columns 'year', 'jurisdiction', 'agency_code', "
     "'element', 'maturity_level': required columns are missing (the header has: 2025, APS, "
     "DOF, expectations, 3)"),
])
def test_an_unusable_file_stops_the_run_with_one_message(tmp_path: Path, source_file: str,
                                                         message: str) -> None:
    result = invoke(copy_fixtures(MALFORMED, source_file, into=tmp_path / "in"),
                    tmp_path / "w.duckdb")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert flat(result.output) == message
