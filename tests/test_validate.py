"""Validation: Great Expectations checks each rule on small frames that fail where the rows do.

Value rules are checked on each column's distinct values and uniqueness rules on the rows whose
key repeats; these tests hold the result to the suite checked on every row, and to reasons
worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.contract import ExtractKind
from pipeline.read import ROW_NUMBER
from pipeline.validate import (
    PROBLEM_SCHEMA,
    ExpectationsProcess,
    GreatExpectationsStopped,
    Validator,
    great_expectations_process,
    per_file,
    suite_document,
)

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2025, 7, 1)
POSITION_COLUMNS = ("snapshot_date", "jurisdiction", "agency_code", "agency_name", "position_id",
                    "position_title", "classification", "occupancy", "fte", "staff_managed",
                    "budget_managed", "locations", "aggregate_fte", "planning_horizon_years")
GOOD = {"snapshot_date": dt.date(2025, 6, 30), "jurisdiction": "APS", "agency_code": "DOF",
        "agency_name": "Finance", "position_id": "P1", "position_title": "Director",
        "classification": "SES1", "occupancy": "occupied", "fte": 1.0, "staff_managed": 10.0,
        "budget_managed": 1_000_000.0, "locations": 1, "aggregate_fte": None,
        "planning_horizon_years": 3.0}


def position(source_file: str, row_number: int, **values: object) -> dict[str, object]:
    """Return a staged positions row: a good one, with the values given instead."""
    return {"source_file": source_file, ROW_NUMBER: row_number, **GOOD,
            "position_id": f"P{row_number}", **values}


ROWS = [
    position("a.csv", 1),
    position("a.csv", 2, fte=1.5),                                  # above 1
    position("a.csv", 3, fte=1.5, staff_managed=-1.0),              # the same fte, and negative
    position("a.csv", 4, jurisdiction="XX"),                        # not a jurisdiction
    position("a.csv", 5, agency_name=None),                         # required but empty
    position("a.csv", 6, position_title=None, occupancy="on leave"),
    position("a.csv", 7, snapshot_date=dt.date(2026, 1, 31)),       # after the run date
    position("a.csv", 8, position_id="P1"),                         # the key of row 1 again
    position("a.csv", 9, jurisdiction=None, position_id="P9"),
    position("a.csv", 10, jurisdiction=None, position_id="P9"),     # repeats row 9's key
    position("b.csv", 1),                                           # P1 again, another file
    position("b.csv", 2, locations=-2, planning_horizon_years=80.0),
]
REPEATED_P1 = ("jurisdiction='APS', agency_code='DOF', snapshot_date=2025-06-30, position_id='P1'"
               " appears more than once for this agency and snapshot date")
HAND_WORKED = {
    ("a.csv", 1): [REPEATED_P1],
    ("a.csv", 2): ["fte: 1.5 must be between 0 and 1"],
    ("a.csv", 3): ["fte: 1.5 must be between 0 and 1", "staff_managed: -1 must not be negative"],
    ("a.csv", 4): ["jurisdiction: 'XX' is not a known jurisdiction (data/jurisdictions.toml)"],
    ("a.csv", 5): ["agency_name is required but empty"],
    ("a.csv", 6): ["position_title is required but empty",
                   "occupancy: 'on leave' is not one of occupied, vacant, acting"],
    ("a.csv", 7): ["snapshot_date: 2026-01-31 is in the future (the run date is the latest date"
                   " accepted)"],
    ("a.csv", 8): [REPEATED_P1],
    ("a.csv", 9): ["jurisdiction is required but empty",  # a missing key value shows as nan
                   "jurisdiction=nan, agency_code='DOF', snapshot_date=2025-06-30,"
                   " position_id='P9' appears more than once for this agency and snapshot date"],
    ("b.csv", 1): [],
    ("b.csv", 2): ["locations: -2 must not be negative",
                   "planning_horizon_years: 80 must be between 0 and 50 years"],
}
HAND_WORKED[("a.csv", 10)] = HAND_WORKED[("a.csv", 9)]


def staged_rows() -> duckdb.DuckDBPyConnection:
    """Return a connection holding ROWS as the table `staged_rows`, typed as staging types."""
    frame = pl.DataFrame(ROWS, schema={"source_file": pl.String, ROW_NUMBER: pl.Int64,
                                       "snapshot_date": pl.Date,
                                       **{column: pl.String for column in POSITION_COLUMNS[1:8]},
                                       "fte": pl.Float64, "staff_managed": pl.Float64,
                                       "budget_managed": pl.Float64, "locations": pl.Int64,
                                       "aggregate_fte": pl.Float64,
                                       "planning_horizon_years": pl.Float64})
    connection = duckdb.connect()
    connection.register("frame", frame)
    connection.execute("create table staged_rows as select * from frame")
    return connection


@pytest.fixture(scope="module")
def staged() -> Iterator[duckdb.DuckDBPyConnection]:
    """Return a connection holding ROWS as the table `staged_rows` (staged_rows)."""
    connection = staged_rows()
    yield connection
    connection.close()


def by_row(problems: pl.DataFrame) -> dict[tuple[str, int], list[str]]:
    """Return each row's reasons, in the order they were given."""
    found: dict[tuple[str, int], list[str]] = {}
    for row in problems.iter_rows(named=True):
        found.setdefault((row["source_file"], row[ROW_NUMBER]), []).append(row["reason"])
    return found


def test_the_problems_are_those_worked_out_by_hand(staged: duckdb.DuckDBPyConnection) -> None:
    problems = Validator(today=TODAY).problems(ExtractKind.POSITIONS, staged, "staged_rows")
    assert problems.schema == pl.Schema(PROBLEM_SCHEMA)
    expected = {row: reasons for row, reasons in HAND_WORKED.items() if reasons}
    assert by_row(problems) == expected


def test_the_small_frames_fail_where_the_suite_on_every_row_does(
        staged: duckdb.DuckDBPyConnection) -> None:
    """The same problems, in the same order for each row, as the whole suite on every row."""
    validator = Validator(today=TODAY)
    every_row = validator._row_problems(  # the suite, every rule on every row
        ExtractKind.POSITIONS, per_file(suite_document(ExtractKind.POSITIONS))["expectations"],
        staged.sql("select * from staged_rows").pl())
    small = validator.problems(ExtractKind.POSITIONS, staged, "staged_rows")
    assert by_row(small) == by_row(every_row)
    assert small.height == every_row.height == 16


def test_great_expectations_runs_outside_the_run_process(tmp_path: Path) -> None:
    """The process that validates imports neither pandas nor Great Expectations: they live in
    Great Expectations' own process, and the problems are still those worked out by hand."""
    script = tmp_path / "validate_here.py"
    script.write_text(
        "import json, sys\n"
        "import tests.test_validate as t\n"
        "from pipeline.contract import ExtractKind\n"
        "connection = t.staged_rows()\n"
        "problems = t.Validator(today=t.TODAY).problems(ExtractKind.POSITIONS, connection,"
        " 'staged_rows')\n"
        "print(json.dumps({'rows': problems.height, 'pandas': 'pandas' in sys.modules,"
        " 'gx': 'great_expectations' in sys.modules}))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    expected_rows = sum(len(reasons) for reasons in HAND_WORKED.values())
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "rows": expected_rows, "pandas": False, "gx": False}


def test_a_stopped_great_expectations_process_is_named_and_replaced(
        staged: duckdb.DuckDBPyConnection) -> None:
    validator = Validator(today=TODAY)
    validator.problems(ExtractKind.POSITIONS, staged, "staged_rows")
    great_expectations_process().process.kill()
    with pytest.raises(GreatExpectationsStopped, match="ended before it answered"):
        validator.problems(ExtractKind.POSITIONS, staged, "staged_rows")
    expected = {row: reasons for row, reasons in HAND_WORKED.items() if reasons}
    assert by_row(validator.problems(ExtractKind.POSITIONS, staged, "staged_rows")) == expected


def test_a_process_still_importing_is_ended_not_awaited() -> None:
    """A run that ends before Great Expectations has imported (it checked nothing) kills the
    process instead of waiting for the import; one that has answered is asked to stop."""
    importing = ExpectationsProcess.start()
    importing.close()
    assert importing.process.returncode == -signal.SIGKILL
    answered = ExpectationsProcess.start()
    assert answered.ask("ready") is True
    answered.close()
    assert answered.process.returncode == 0


def test_ctrl_c_is_left_to_the_run() -> None:
    """An interrupt at the terminal reaches Great Expectations' process too: it keeps answering
    (the run decides what an interrupt means, and the process ends with the run)."""
    process = ExpectationsProcess.start()
    assert process.ask("ready") is True
    process.process.send_signal(signal.SIGINT)
    assert process.ask("peak_mb") > 0
    process.close()
    assert process.process.returncode == 0
