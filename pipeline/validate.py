"""Validate: run an extract kind's Great Expectations suite on its staged rows.

The suites are the JSON files under expectations/ (one per extract kind), readable by a reviewer;
values that depend on the frameworks or the run date are `$PARAMETER`s filled in here from
data/. Great Expectations sees pandas copies of the frames below, in its own process: the one
place the pipeline leaves polars and DuckDB.

Every rule of a suite is checked by Great Expectations, on frames that break it exactly where
the staged rows do, and are small:
- a value rule (VALUE_RULES: not null, in a set, between) looks at one value at a time, so it
  is checked on each column's distinct values (one row per value), and the rows holding a value
  that breaks it are then found in DuckDB. A column only value rules of not null read needs one
  value of each kind, present and missing;
- a uniqueness rule is checked on the rows whose key another row of their file repeats (found
  in DuckDB): only they can break it, and each comes with every row that shares its key;
- a rule of any other type is checked on every row.

Great Expectations runs in a process of its own (pipeline.expectations_process), started once
per Python process and shared by every Validator: the frames sent are the small ones above; what
comes back is each failing row's index and reason.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import json
import os
import pickle
import subprocess
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import duckdb
import polars as pl

from pipeline import frameworks
from pipeline.contract import ExtractKind
from pipeline.errors import WorkvalueError
from pipeline.expectations_process import Failure
from pipeline.read import ROW_NUMBER
from pipeline.settings import EXPECTATIONS_DIR, data_file

PROBLEM_SCHEMA = {"source_file": pl.String, ROW_NUMBER: pl.Int64, "column": pl.String,
                  "reason": pl.String}
UNIQUENESS = ("expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique")
VALUE_RULES = ("expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set",
               "expect_column_values_to_be_between")  # each row's verdict is its value's alone
PRESENCE_ONLY = ("expect_column_values_to_not_be_null",)
VALUE_ROW = "value_row"  # the index of a value in the frame of distinct values


def per_file(document: dict[str, Any]) -> dict[str, Any]:
    """Return a suite whose uniqueness rules hold within each source file, not across a batch.

    Files of one kind are validated together; a key repeated across files is the loader's
    business (the later file's row is quarantined as already loaded), so each key expectation
    gains source_file. The JSON files state the keys as a reviewer reads them.
    """
    expectations = []
    for expectation in document["expectations"]:
        if expectation["type"] in UNIQUENESS:
            kwargs = expectation["kwargs"]
            columns = kwargs.get("column_list") or [kwargs["column"]]
            expectation = {**expectation, "type": UNIQUENESS[0],
                           "kwargs": {"column_list": ["source_file", *columns]}}
        expectations.append(expectation)
    return {**document, "expectations": expectations}


def suite_document(kind: ExtractKind) -> dict[str, Any]:
    """Return the Great Expectations suite of an extract kind, as its JSON file has it."""
    return json.loads((EXPECTATIONS_DIR / f"{kind.value}.json").read_text(encoding="utf-8"))


def suite_parameters(today: dt.date) -> dict[str, Any]:
    """Return the values of the suites' $PARAMETERs, from data/ and the run date."""
    jurisdictions = data_file("jurisdictions.toml")
    tool = frameworks.work_value_tool()
    levels = [level.level for level in frameworks.load_framework("aps_ses_plf").maturity_levels]
    return {
        "today": dt.datetime.combine(today, dt.time()),
        "jurisdictions": [entry["code"] for entry in jurisdictions["jurisdictions"]],
        "occupancies": list(jurisdictions["occupancies"]),
        "factor_min": tool.scale.minimum,
        "factor_max": tool.scale.maximum,
        "ratings": list(frameworks.rating_scale()),
        "elements": list(frameworks.maturity_elements()),
        "maturity_min": min(levels),
        "maturity_max": max(levels),
    }


def suite_columns(kind: ExtractKind) -> list[str]:
    """Return the columns an extract kind's suite reads, in suite order."""
    return _columns(suite_document(kind)["expectations"])


class GreatExpectationsStopped(WorkvalueError):
    """The process that runs Great Expectations ended before answering (killed, or out of
    memory)."""


@dataclass
class Validator:
    """Runs the suites, on Great Expectations' own process (great_expectations_process)."""

    today: dt.date

    def warm_up(self) -> None:
        """Start Great Expectations' process, so that it imports while files are read."""
        great_expectations_process()

    def is_ready(self) -> bool:
        """Return whether a check would be answered now: Great Expectations has been imported
        in its process (loading stages files ahead until then, pipeline.run)."""
        return great_expectations_process().is_ready()

    @cached_property
    def _parameters(self) -> dict[str, Any]:
        """Return the suites' parameter values for this run."""
        return suite_parameters(self.today)

    def problems(self, kind: ExtractKind, connection: duckdb.DuckDBPyConnection,
                 table: str) -> pl.DataFrame:
        """Return one row per (row, column) of a table of staged rows (with source_file and
        row_number) that breaks the kind's suite, with the reason."""
        expectations = per_file(suite_document(kind))["expectations"]
        value_rules = [each for each in expectations if each["type"] in VALUE_RULES]
        key_rules = [each for each in expectations if each["type"] in UNIQUENESS]
        other_rules = [each for each in expectations if each not in value_rules + key_rules]
        return pl.concat([
            self._value_problems(kind, value_rules, connection, table),
            self._row_problems(kind, key_rules, _repeated_keys(connection, table, key_rules)),
            self._row_problems(kind, other_rules, connection.sql(
                f"select {_quoted(['source_file', ROW_NUMBER, *_columns(other_rules)])}"
                f" from {table}").pl() if other_rules else _no_rows()),
        ])

    def _failures(self, kind: ExtractKind, expectations: list[dict[str, Any]],
                  rows: pl.DataFrame, index: list[str]) -> list[Failure]:
        """Return each row of `rows` that breaks an expectation (none if empty), as checked by
        Great Expectations in its process."""
        if rows.is_empty() or not expectations:
            return []
        return great_expectations_process().ask(
            "check", kind.value, expectations, rows, index, self._parameters)

    def _row_problems(self, kind: ExtractKind, expectations: list[dict[str, Any]],
                      rows: pl.DataFrame) -> pl.DataFrame:
        """Return the problems of rows (keyed by source_file and row_number) under rules."""
        records = [{"source_file": failure["source_file"], ROW_NUMBER: int(failure[ROW_NUMBER]),
                    "column": column, "reason": reason}
                   for _, column, failure, reason in self._failures(
                       kind, expectations, rows, ["source_file", ROW_NUMBER])]
        return pl.DataFrame(records, schema=PROBLEM_SCHEMA)

    def _value_problems(self, kind: ExtractKind, expectations: list[dict[str, Any]],
                        connection: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
        """Return the problems of a table's rows under value rules, checked on its values, in
        the rules' order."""
        values = _distinct_values(connection, table, expectations)
        failing: dict[tuple[int, str], list[tuple[int, str]]] = {}  # rule, column -> values
        for rule, column, failure, reason in self._failures(kind, expectations, values,
                                                            [VALUE_ROW]):
            failing.setdefault((rule, column), []).append((int(failure[VALUE_ROW]), reason))
        found = [_rows_holding(connection, table, values, column, reasons)
                 for (_, column), reasons in failing.items()]
        return pl.concat(found) if found else _no_rows()


def _no_rows() -> pl.DataFrame:
    """Return an empty frame of problems."""
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _quoted(columns: list[str]) -> str:
    """Return column names as a SQL list, quoted."""
    return ", ".join(f'"{column}"' for column in columns)


def _columns(expectations: list[dict[str, Any]]) -> list[str]:
    """Return the columns expectations read, in order, each once."""
    columns: list[str] = []
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        for column in kwargs.get("column_list", [kwargs.get("column")]):
            if column and column not in columns:
                columns.append(column)
    return columns


def _distinct_values(connection: duckdb.DuckDBPyConnection, table: str,
                     expectations: list[dict[str, Any]]) -> pl.DataFrame:
    """Return each column's distinct values in a table, one column each, with VALUE_ROW.

    A column only not-null rules read keeps one present value and, if any, a missing one. The
    columns are made as long as the longest by repeating their first value (a repeated value
    breaks a rule where it did already).
    """
    presence = {column for column in _columns(expectations) if all(
        each["type"] in PRESENCE_ONLY for each in expectations
        if column in (each["kwargs"].get("column_list") or [each["kwargs"].get("column")]))}
    distinct = [connection.sql(
        f'select min("{column}") as "{column}" from {table} group by "{column}" is null'
        if column in presence else f'select distinct "{column}" from {table}'
    ).pl().to_series() for column in _columns(expectations)]
    length = max((series.len() for series in distinct), default=0)
    padded = [series if series.len() == length  # every column, or none, has a value
              else series.extend_constant(series[0], length - series.len())
              for series in distinct]
    return pl.DataFrame(padded).with_row_index(VALUE_ROW).with_columns(
        pl.col(VALUE_ROW).cast(pl.Int64))


def _rows_holding(connection: duckdb.DuckDBPyConnection, table: str, values: pl.DataFrame,
                  column: str, reasons: list[tuple[int, str]]) -> pl.DataFrame:
    """Return the problems of the rows whose value of a column breaks a rule: the values are
    those of `values` at the given value rows, each with its reason."""
    failing = values.select(VALUE_ROW, column).join(
        pl.DataFrame(reasons, schema={VALUE_ROW: pl.Int64, "reason": pl.String}, orient="row"),
        on=VALUE_ROW).unique([column, "reason"], keep="first", maintain_order=True)
    connection.register("failing_values", failing)
    try:
        return connection.sql(
            f"select source_file, {ROW_NUMBER}, '{column}' as column, failing_values.reason"
            f' from {table} join failing_values on {table}."{column}" is not distinct from'
            f' failing_values."{column}"').pl()
    finally:
        connection.unregister("failing_values")


def _repeated_keys(connection: duckdb.DuckDBPyConnection, table: str,
                   expectations: list[dict[str, Any]]) -> pl.DataFrame:
    """Return the rows whose key, under any uniqueness rule, another row repeats (keyed by
    source_file and row_number, with the rules' columns)."""
    if not expectations:
        return _no_rows()
    repeated = " or ".join(
        f"count(*) over (partition by {_quoted(each['kwargs']['column_list'])}) > 1"
        for each in expectations)
    return connection.sql(
        f"select {_quoted(['source_file', ROW_NUMBER, *_columns(expectations)])} from {table}"
        f" qualify {repeated}").pl()


@dataclass
class ExpectationsProcess:
    """The run's end of Great Expectations' process (pipeline.expectations_process)."""

    process: subprocess.Popen[bytes]
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls) -> ExpectationsProcess:
        """Start the process; it imports Great Expectations meanwhile (is_ready tells when it
        has). It runs this same pipeline package (PYTHONPATH) with this Python."""
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        started = cls(subprocess.Popen([sys.executable, "-m", "pipeline.expectations_process"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env))
        threading.Thread(target=started._note_when_ready, name="await Great Expectations",
                         daemon=True).start()
        return started

    def is_ready(self) -> bool:
        """Return whether the process has imported Great Expectations (or has ended: the next
        request then says so)."""
        return self.started.is_set()

    def _note_when_ready(self) -> None:
        """Wait for the process's first answer (ask marks it started), or for its end."""
        with suppress(GreatExpectationsStopped):
            self.ask("ready")
        self.started.set()

    def ask(self, request: str, *arguments: Any) -> Any:
        """Return the process's answer to a request (pipeline.expectations_process.REQUESTS).

        Raise GreatExpectationsStopped if the process has ended, RuntimeError with its message
        if the request failed there.
        """
        with self.lock:
            try:
                pickle.dump((request, arguments), _stream(self.process.stdin))
                _stream(self.process.stdin).flush()
                status, value = pickle.load(_stream(self.process.stdout))
                self.started.set()  # it answers: it has imported Great Expectations
            except (BrokenPipeError, EOFError) as error:
                great_expectations_process.cache_clear()  # the next call starts a new one
                raise GreatExpectationsStopped(
                    "the process running Great Expectations ended before it answered (exit"
                    f" {self.process.wait()}: out of memory, or killed): run again") from error
        if status != "ok":
            raise RuntimeError(f"Great Expectations: {value}")
        return value

    def close(self) -> None:
        """End the process: it stops when its input closes, or at once if it is still
        importing (a run that needed no check does not wait for it)."""
        if not self.is_ready():
            self.process.kill()
        with suppress(OSError):  # it has ended already
            _stream(self.process.stdin).close()
        self.process.wait()


@functools.cache
def great_expectations_process() -> ExpectationsProcess:
    """Return Great Expectations' process, started on the first call, ended at exit."""
    process = ExpectationsProcess.start()
    atexit.register(process.close)
    return process


def great_expectations_peak_mb() -> float:
    """Return the peak resident memory of Great Expectations' process, in MB (0 if none ran)."""
    if great_expectations_process.cache_info().currsize == 0:
        return 0.0
    return float(great_expectations_process().ask("peak_mb"))


def _stream(stream: IO[bytes] | None) -> IO[bytes]:
    """Return a pipe of the process (always there: it is started with both)."""
    assert stream is not None
    return stream

