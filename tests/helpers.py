"""Helpers of the reading, staging, loading, malformed-input, export and CLI tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from pipeline.contract import ExtractKind
from pipeline.load import FileLoad, load_extract
from pipeline.read import ROW_NUMBER, ExtractFile, RawExtract
from pipeline.run import RunSummary, run_pipeline
from pipeline.validate import PROBLEM_SCHEMA

TESTS = Path(__file__).resolve().parent
TODAY = dt.date(2025, 12, 31)  # the run date of every in-process run: 2099 dates are future
LOADED_AT = dt.datetime(2025, 12, 31, 9, 0)
Opener = Callable[[Path], duckdb.DuckDBPyConnection]  # the read_only fixture


def run(input_dir: Path, warehouse_path: Path, *, stages: bool = True) -> RunSummary:
    """Return the summary of a real in-process run dated TODAY.

    With `stages` false the post-load stages (scoring, checks, publishing) are left out: the
    reading and loading tests need none of them.
    """
    with pytest.MonkeyPatch.context() as patch:
        if not stages:
            patch.setattr("pipeline.run.POST_LOAD_STAGES", ())
        return run_pipeline(input_dir, warehouse_path, today=TODAY)


def copy_fixtures(folder: Path, *names: str, into: Path) -> Path:
    """Return a fresh input folder holding copies of fixture files from tests/<folder>/."""
    into.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(TESTS / folder / name, into / name)
    return into


def rows_of(connection: duckdb.DuckDBPyConnection, query: str,
            parameters: list[object] | None = None) -> list[dict[str, Any]]:
    """Return a query's rows as dicts."""
    return connection.sql(query, params=parameters).pl().to_dicts()


def reasons_by_row(connection: duckdb.DuckDBPyConnection, source_file: str) -> dict[int, str]:
    """Return a file's quarantine reasons keyed by row number."""
    return dict(connection.execute(
        "select row_number, reason from quarantine where source_file = ? order by row_number",
        [source_file]).fetchall())


def flat(text: str) -> str:
    """Return text with every run of whitespace as one space (the terminal wraps lines)."""
    return " ".join(text.split())


class NoRules:
    """A validator without suite rules: only values that cannot be read are quarantined."""

    def problems(self, kind: ExtractKind, connection: duckdb.DuckDBPyConnection,
                 table: str) -> pl.DataFrame:
        """Return no problem rows (the staging tests look at cleaning alone)."""
        return pl.DataFrame(schema=PROBLEM_SCHEMA)


def load_rows(connection: duckdb.DuckDBPyConnection, kind: ExtractKind,
              rows: list[dict[str, str | None]], name: str | None = None) -> FileLoad:
    """Return the outcome of loading rows (text, canonical column names) as one extract."""
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)).with_row_index(
        ROW_NUMBER, offset=1).with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
    name = name or f"{kind.value}_test.csv"
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    raw = RawExtract(ExtractFile(Path(name), name, kind), digest, frame)
    return load_extract(connection, raw, NoRules(), LOADED_AT)  # type: ignore[arg-type]


def position(**values: str | None) -> dict[str, str | None]:
    """Return a valid positions row (APS SES Band 1), with the given values replaced."""
    row: dict[str, str | None] = {
        "snapshot_date": "2025-06-30", "jurisdiction": "APS", "agency_code": "DOF",
        "agency_name": "Department of Finance", "position_id": "P1",
        "position_title": "Branch Manager", "classification": "SES Band 1",
    }
    row.update(values)
    return row
