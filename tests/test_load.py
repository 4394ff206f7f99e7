"""Load: a real DuckDB warehouse file; counts reconcile, reruns add nothing, a load is atomic.

One base load (tests/loading/: positions_a, positions_b, determinations_a) is made once; the
tests that load more start from a copy of its warehouse file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from pipeline import load, schema
from pipeline.contract import SPECS, ExtractKind
from pipeline.duck import scalar
from pipeline.load import load_extract
from pipeline.read import ExtractFile, read_extract
from pipeline.run import RunSummary
from pipeline.validate import Validator
from tests.helpers import (
    LOADED_AT,
    TESTS,
    NoRules,
    Opener,
    copy_fixtures,
    reasons_by_row,
    rows_of,
    run,
)

LOADING = "loading"
BASE_FILES = ("positions_a.csv", "positions_b.csv", "determinations_a.csv")
COUNTED_TABLES = ("raw_positions", "positions", "determinations", "quarantine", "load_audit")
BASE_COUNTS = {"raw_positions": 7, "positions": 4, "determinations": 1, "quarantine": 4,
               "load_audit": 3}


def counts(connection: Any) -> dict[str, int]:
    """Return the row count of every table a load writes."""
    return {table: connection.execute(f"select count(*) from {table}").fetchall()[0][0]
            for table in COUNTED_TABLES}


def outcomes(summary: RunSummary) -> list[tuple[object, ...]]:
    """Return each file's name, status and counts from a run summary."""
    return [(f.source_file, f.status, f.rows_read, f.rows_loaded, f.rows_quarantined)
            for f in summary.files]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    """Return the warehouse file of the base load and the summary of that run."""
    root = tmp_path_factory.mktemp("base")
    summary = run(copy_fixtures(LOADING, *BASE_FILES, into=root / "in"), root / "w.duckdb",
                  stages=False)
    return root / "w.duckdb", summary


@pytest.fixture
def again(base: tuple[Path, RunSummary], tmp_path: Path) -> tuple[Path, Path]:
    """Return a copy of the base warehouse and a copy of its input folder, to load again."""
    shutil.copy(base[0], tmp_path / "w.duckdb")
    return copy_fixtures(LOADING, *BASE_FILES, into=tmp_path / "in"), tmp_path / "w.duckdb"


def test_rows_read_are_rows_loaded_plus_rows_quarantined(base: tuple[Path, RunSummary],
                                                         read_only: Opener) -> None:
    path, summary = base
    assert outcomes(summary) == [
        ("determinations_a.csv", "loaded", 2, 1, 1),
        ("positions_a.csv", "loaded", 4, 3, 1),
        ("positions_b.csv", "loaded", 3, 1, 2),
    ]
    connection = read_only(path)
    audit = rows_of(connection, """
        select source_file, rows_read, rows_loaded, rows_quarantined,
            (select count(*) from positions p where p.source_file = a.source_file)
            + (select count(*) from determinations d where d.source_file = a.source_file)
                as staged,
            (select count(*) from quarantine q where q.source_file = a.source_file)
                as quarantined
        from load_audit a order by source_file""")
    assert len(audit) == 3
    for row in audit:
        assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"]
        assert (row["staged"], row["quarantined"]) == (row["rows_loaded"],
                                                       row["rows_quarantined"])
    assert counts(connection) == BASE_COUNTS


def test_a_rerun_adds_nothing(again: tuple[Path, Path], read_only: Opener) -> None:
    folder, path = again
    summary = run(folder, path, stages=False)
    assert outcomes(summary) == [
        ("determinations_a.csv", "unchanged", 2, 0, 0),
        ("positions_a.csv", "unchanged", 4, 0, 0),
        ("positions_b.csv", "unchanged", 3, 0, 0),
    ]
    assert counts(read_only(path)) == BASE_COUNTS


def test_a_changed_file_replaces_its_old_rows(again: tuple[Path, Path], read_only: Opener) -> None:
    folder, path = again
    shutil.copy(TESTS / LOADING / "positions_a_v2.csv", folder / "positions_a.csv")
    summary = run(folder, path, stages=False)
    assert outcomes(summary)[1] == ("positions_a.csv", "replaced", 3, 3, 0)
    connection = read_only(path)
    assert rows_of(connection, "select position_id, position_title from positions"
                               " order by position_id") == [
        {"position_id": "P1", "position_title": "Deputy Secretary"},
        {"position_id": "P3", "position_title": "Branch Manager"},
        {"position_id": "P5", "position_title": "Director"},
        {"position_id": "P9", "position_title": "Chief Counsel"},  # from positions_b.csv
    ]
    assert rows_of(connection, "select count(*) as rows, count(distinct position_id) as keys"
                               " from positions") == [{"rows": 4, "keys": 4}]
    assert counts(connection) == {"raw_positions": 6, "positions": 4, "determinations": 1,
                                  "quarantine": 3, "load_audit": 4}
    assert rows_of(connection, "select rows_read, superseded_at is not null as superseded"
                               " from load_audit where source_file = 'positions_a.csv'"
                               " order by loaded_at") == [
        {"rows_read": 4, "superseded": True}, {"rows_read": 3, "superseded": False}]


def test_the_same_content_under_another_name_is_not_loaded_twice(again: tuple[Path, Path],
                                                                  read_only: Opener) -> None:
    folder, path = again
    shutil.copy(folder / "positions_a.csv", folder / "positions_a_copy.csv")
    summary = run(folder, path, stages=False)
    [copy] = [f for f in summary.files if f.source_file == "positions_a_copy.csv"]
    assert (copy.status, copy.rows_loaded, copy.notes) == (
        "unchanged", 0, ("same content as positions_a.csv, already loaded",))
    assert counts(read_only(path)) == BASE_COUNTS


def test_a_key_loaded_from_another_file_is_quarantined_naming_that_file(
        base: tuple[Path, RunSummary], read_only: Opener) -> None:
    connection = read_only(base[0])
    assert reasons_by_row(connection, "positions_b.csv") == {
        1: "jurisdiction, agency_code, snapshot_date, position_id already loaded from "
           "positions_a.csv",
        3: "repeats row 2 value for value: loaded once, from that row",
    }
    assert rows_of(connection, "select position_title from positions where position_id = 'P1'"
                   ) == [{"position_title": "Deputy Secretary"}]  # the first file's row stays


def test_raw_record_is_the_row_as_read(base: tuple[Path, RunSummary], read_only: Opener) -> None:
    [(number, reason, record)] = read_only(base[0]).execute(
        "select row_number, reason, raw_record from quarantine"
        " where source_file = 'positions_a.csv'").fetchall()
    assert (number, reason) == (3, "fte: 1.5 must be between 0 and 1")
    assert json.loads(record) == {
        "snapshot_date": "2025-06-30", "jurisdiction": "APS", "agency_code": "DOF",
        "agency_name": "Department of Finance", "position_id": "P3",
        "position_title": " Branch Manager ", "classification": "SES Band 1", "fte": "1.5"}


def failing_on(source_file: str) -> Any:
    """Return a Validator.problems that raises for one file's rows and is the real one else."""
    real = Validator.problems

    def problems(self: Validator, kind: ExtractKind, connection: duckdb.DuckDBPyConnection,
                 table: str) -> pl.DataFrame:
        if scalar(connection, f"select count(*) from {table} where source_file = ?",
                  [source_file]):  # files of a kind are validated together
            raise RuntimeError("the validator failed half way through the load")
        return real(self, kind, connection, table)

    return problems


class Failing:
    """A validator that fails half way through a file's load (after its raw rows are in)."""

    def problems(self, kind: ExtractKind, connection: duckdb.DuckDBPyConnection,
                 table: str) -> pl.DataFrame:
        """Raise, as a validator that breaks would."""
        raise RuntimeError("the validator failed half way through the load")


def test_a_failed_load_leaves_nothing_of_that_file(tmp_path: Path, read_only: Opener) -> None:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.prepare(connection)
    first, second = (read_extract(ExtractFile(TESTS / LOADING / name, name,
                                              ExtractKind.POSITIONS))
                     for name in ("positions_a.csv", "positions_b.csv"))
    load_extract(connection, first, NoRules(), LOADED_AT)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="half way"):
        load_extract(connection, second, Failing(), LOADED_AT)  # type: ignore[arg-type]
    connection.close()
    connection = read_only(tmp_path / "w.duckdb")
    for table in ("raw_positions", "positions", "load_audit"):
        assert rows_of(connection, f"select distinct source_file from {table}") == [
            {"source_file": "positions_a.csv"}], table
    assert counts(connection) == {"raw_positions": 4, "positions": 4, "determinations": 0,
                                  "quarantine": 0, "load_audit": 1}


def test_a_failed_run_leaves_the_warehouse_as_it_was(again: tuple[Path, Path],
                                                      read_only: Opener,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder, path = again
    shutil.copy(TESTS / LOADING / "positions_a_v2.csv", folder / "positions_a.csv")
    (folder / "positions_c.csv").write_text(
        (TESTS / LOADING / "positions_a_v2.csv").read_text().replace("DOF", "DHA"))
    monkeypatch.setattr(Validator, "problems", failing_on("positions_c.csv"))
    with pytest.raises(RuntimeError, match="half way"):
        run(folder, path, stages=False)
    assert counts(read_only(path)) == BASE_COUNTS  # nor positions_a's new version


def test_a_failed_replacement_keeps_the_old_version(again: tuple[Path, Path], read_only: Opener,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder, path = again
    shutil.copy(TESTS / LOADING / "positions_a_v2.csv", folder / "positions_a.csv")
    monkeypatch.setattr(Validator, "problems", failing_on("positions_a.csv"))
    with pytest.raises(RuntimeError, match="half way"):
        run(folder, path, stages=False)
    connection = read_only(path)
    assert counts(connection) == BASE_COUNTS
    assert rows_of(connection, "select position_id from positions order by 1") == [
        {"position_id": "P1"}, {"position_id": "P2"}, {"position_id": "P4"},
        {"position_id": "P9"}]
    assert rows_of(connection, "select rows_read, superseded_at from load_audit"
                               " where source_file = 'positions_a.csv'") == [
        {"rows_read": 4, "superseded_at": None}]


class CommitFails:
    """A connection whose commit fails after ending the transaction, as a lost disk does."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def commit(self) -> None:
        self._connection.rollback()
        raise duckdb.IOException("could not write to the disk")


def test_a_failed_commit_is_reported_as_itself_and_leaves_nothing(tmp_path: Path,
                                                                  read_only: Opener) -> None:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.prepare(connection)
    raw = read_extract(ExtractFile(TESTS / LOADING / "positions_a.csv", "positions_a.csv",
                                   ExtractKind.POSITIONS))
    with pytest.raises(duckdb.IOException, match="could not write to the disk"):
        load_extract(CommitFails(connection), raw, NoRules(), LOADED_AT)  # type: ignore[arg-type]
    connection.close()
    assert counts(read_only(tmp_path / "w.duckdb")) == dict.fromkeys(COUNTED_TABLES, 0)


def test_a_failed_raw_insert_is_reported_as_itself_and_leaves_nothing(
        tmp_path: Path, read_only: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.prepare(connection)
    raw = read_extract(ExtractFile(TESTS / LOADING / "positions_a.csv", "positions_a.csv",
                                   ExtractKind.POSITIONS))
    conformed = load.conform
    monkeypatch.setattr(load, "conform", lambda raw: conformed(raw).with_columns(
        pl.lit("x").alias("not_a_raw_column")))  # the raw table has no such column
    with pytest.raises(duckdb.BinderException, match="not_a_raw_column"):
        load_extract(connection, raw, NoRules(), LOADED_AT)  # type: ignore[arg-type]
    connection.close()
    assert counts(read_only(tmp_path / "w.duckdb")) == dict.fromkeys(COUNTED_TABLES, 0)


UK_SENIOR_HEADER = (
    '"Post Unique Reference","Name","Grade (or equivalent)","Job Title","Job/Team Function",'
    '"Parent Department","Organisation","Unit","Contact Phone","Contact E-mail",'
    '"Reports to Senior Post","Salary Cost of Reports (£)","FTE","Actual Pay Floor (£)",'
    '"Actual Pay Ceiling (£)","","Professional/Occupational Group","Notes","Valid?"\n')
UK_JUNIOR_HEADER = (
    '"Parent Department","Organisation","Unit","Reporting Senior Post","Grade",'
    '"Payscale Minimum (£)","Payscale Maximum (£)","Generic Job Title","Number of Posts in FTE",'
    '"Professional/Occupational Group"\n')


def write_header_only_files(folder: Path) -> list[str]:
    """Write a header-only file of every kind and layout into folder; return their names."""
    before = set(folder.iterdir())
    header = {kind: list(SPECS[kind].required) for kind in ExtractKind}
    (folder / "positions_none.csv").write_text(",".join(header[ExtractKind.POSITIONS]) + "\n")
    pl.DataFrame(schema=dict.fromkeys(header[ExtractKind.DETERMINATIONS], pl.String)
                 ).write_excel(folder / "determinations_none.xlsx")
    pl.DataFrame(schema=dict.fromkeys(header[ExtractKind.PERFORMANCE], pl.String)
                 ).write_parquet(folder / "performance_none.parquet")
    pl.DataFrame(schema={"year": pl.Int64, "jurisdiction": pl.String, "agency_code": pl.String,
                         "element": pl.String, "maturity_level": pl.Int64}
                 ).write_parquet(folder / "maturity_none.parquet")
    (folder / "org-2011-03-31-senior.csv").write_text(UK_SENIOR_HEADER, encoding="utf-8")
    (folder / "org-2011-03-31-junior.csv").write_text(UK_JUNIOR_HEADER, encoding="utf-8")
    return sorted(path.name for path in set(folder.iterdir()) - before)


def test_a_header_only_file_of_every_kind_and_layout_loads_as_nothing_with_a_note(
        tmp_path: Path, read_only: Opener) -> None:
    folder = copy_fixtures(LOADING, *BASE_FILES, into=tmp_path / "in")
    empty = write_header_only_files(folder)
    summary = run(folder, tmp_path / "w.duckdb", stages=False)
    by_name = {f.source_file: f for f in summary.files}
    for name in empty:
        assert (by_name[name].rows_read, by_name[name].rows_loaded,
                by_name[name].rows_quarantined) == (0, 0, 0), name
        assert by_name[name].notes[-1] == load.NO_ROWS
    assert [(f.rows_read, f.rows_loaded, f.rows_quarantined) for f in summary.files
            if f.source_file in BASE_FILES] == [(2, 1, 1), (4, 3, 1), (3, 1, 2)]  # as BASE_COUNTS
    connection = read_only(tmp_path / "w.duckdb")
    assert connection.execute(
        "select source_file, rows_read, note from load_audit where note is not null"
        " order by source_file").fetchall() == [(name, 0, load.NO_ROWS) for name in empty]
    assert connection.execute("select count(*) from load_audit where note is null"
                              ).fetchall() == [(3,)]


def table_rows(connection: Any) -> dict[str, list[tuple[object, ...]]]:
    """Return the rows of every table a load writes (the load times aside), in order."""
    return {table: connection.execute(
        f"select * exclude (loaded_at) from {table} order by all" if table == "load_audit"
        else f"select * from {table} order by all").fetchall() for table in COUNTED_TABLES}


@pytest.mark.parametrize("ready", [True, False])
def test_batches_staged_ahead_load_as_batches_loaded_at_once(
        ready: bool, tmp_path: Path, read_only: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    """While Great Expectations is starting, a run stages batches ahead and loads them after, in
    order: a key of an earlier file, and a copy of an earlier file, are judged as when each
    batch is loaded as soon as it is staged. One file per batch here."""
    folder = copy_fixtures(LOADING, *BASE_FILES, into=tmp_path / "in")
    shutil.copy(folder / "positions_a.csv", folder / "positions_c_copy.csv")
    monkeypatch.setattr("pipeline.run.BATCH_ROWS", 1)
    monkeypatch.setattr(Validator, "is_ready", lambda self: ready)
    summary = run(folder, tmp_path / "w.duckdb", stages=False)
    assert outcomes(summary) == [
        ("determinations_a.csv", "loaded", 2, 1, 1),
        ("positions_a.csv", "loaded", 4, 3, 1),
        ("positions_b.csv", "loaded", 3, 1, 2),
        ("positions_c_copy.csv", "unchanged", 4, 0, 0)]
    assert summary.files[-1].notes == ("same content as positions_a.csv, already loaded",)
    connection = read_only(tmp_path / "w.duckdb")
    assert counts(connection) == BASE_COUNTS
    reference = tmp_path / "reference"
    run(copy_fixtures(LOADING, *BASE_FILES, into=reference / "in"), reference / "w.duckdb",
        stages=False)  # the three files, loaded at once
    assert table_rows(connection) == table_rows(read_only(reference / "w.duckdb"))
