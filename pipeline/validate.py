"""Validate: run an extract kind's Great Expectations suite on its staged rows.

The suites are the JSON files under expectations/ (one per extract kind), readable by a reviewer;
values that depend on the frameworks or the run date are `$PARAMETER`s filled in here from
data/. Great Expectations sees a pandas copy of only the columns its suite names: this is the
one place the pipeline leaves polars and DuckDB.

Every rule of a suite is checked by Great Expectations, on frames that break it exactly where
the staged rows do, and are small:
- a value rule (VALUE_RULES: not null, in a set, between) looks at one value at a time, so it
  is checked on each column's distinct values (one row per value), and the rows holding a value
  that breaks it are then found in DuckDB. A column only value rules of not null read needs one
  value of each kind, present and missing;
- a uniqueness rule is checked on the rows whose key another row of their file repeats (found
  in DuckDB): only they can break it, and each comes with every row that shares its key;
- a rule of any other type is checked on every row.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import duckdb
import polars as pl

from pipeline import frameworks
from pipeline.contract import ExtractKind
from pipeline.read import ROW_NUMBER
from pipeline.settings import EXPECTATIONS_DIR, data_file

PROBLEM_SCHEMA = {"source_file": pl.String, ROW_NUMBER: pl.Int64, "column": pl.String,
                  "reason": pl.String}
CATEGORICAL_SHARE = 20  # text with fewer distinct values than 1 in 20 rows goes as categorical
NANOSECOND_RANGE = (dt.date(1678, 1, 1), dt.date(2261, 12, 31))  # datetime64[ns] holds these
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


@dataclass
class Validator:
    """Runs the suites; built once per run because Great Expectations is slow to start."""

    today: dt.date

    def warm_up(self) -> None:
        """Start importing pandas and Great Expectations in the background while files are read.

        pyarrow, which this thread needs as soon as it hands DuckDB a polars frame and pandas
        needs too, is imported here first, so that the two threads never wait for each other in
        a cycle (this thread may still wait, harmlessly, for pandas to finish importing).
        """
        importlib.import_module("pyarrow")
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        threading.Thread(target=_import_all, args=("pandas", "great_expectations"),
                         name="import great_expectations", daemon=True).start()

    @cached_property
    def _context(self) -> Any:
        """Return an ephemeral Great Expectations context with one pandas data source."""
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.data_sources.add_pandas("workvalue")
        return context

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

    def _results(self, kind: ExtractKind, expectations: list[dict[str, Any]],
                 rows: pl.DataFrame, index: list[str]) -> list[Any]:
        """Return Great Expectations' result of each expectation on the rows (none if empty)."""
        if rows.is_empty() or not expectations:
            return []
        import great_expectations as gx

        suite = gx.ExpectationSuite(name=kind.value, expectations=expectations)
        source = self._context.data_sources.get("workvalue")
        asset = source.add_dataframe_asset(f"{kind.value}-{id(rows)}")
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
            batch_parameters={"dataframe": as_pandas(rows)})
        result = batch.validate(
            suite, result_format={"result_format": "COMPLETE",
                                  "unexpected_index_column_names": index},
            expectation_parameters=self._parameters)
        source.delete_asset(asset.name)
        return result.results

    def _row_problems(self, kind: ExtractKind, expectations: list[dict[str, Any]],
                      rows: pl.DataFrame) -> pl.DataFrame:
        """Return the problems of rows (keyed by source_file and row_number) under rules."""
        records = [{"source_file": failure["source_file"], ROW_NUMBER: int(failure[ROW_NUMBER]),
                    "column": column, "reason": reason}
                   for _, column, failure, reason in _failures(self._results(
                       kind, expectations, rows, ["source_file", ROW_NUMBER]))]
        return pl.DataFrame(records, schema=PROBLEM_SCHEMA)

    def _value_problems(self, kind: ExtractKind, expectations: list[dict[str, Any]],
                        connection: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
        """Return the problems of a table's rows under value rules, checked on its values, in
        the rules' order."""
        values = _distinct_values(connection, table, expectations)
        failing: dict[tuple[int, str], list[tuple[int, str]]] = {}  # rule, column -> values
        for rule, column, failure, reason in _failures(self._results(kind, expectations, values,
                                                                     [VALUE_ROW])):
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


def _import_all(*modules: str) -> None:
    """Import modules in order (in a background thread: Validator.warm_up)."""
    for module in modules:
        importlib.import_module(module)


def as_pandas(rows: pl.DataFrame) -> Any:
    """Return the rows as a pandas frame shaped for Great Expectations to check quickly.

    Dates become nanosecond datetimes where they all fit: Great Expectations compares a
    datetime64[ns] column with a date in one vectorised step, but any other date column (polars
    dates arrive as datetime64[ms]) value by value in Python, ten times slower at a million
    rows. A column with a date outside the nanosecond range (years 1678 to 2261) keeps its
    millisecond type, and the slow path, so that no date is changed. Text with few distinct
    values (agencies, jurisdictions, titles) becomes categorical: the same values, a tenth of
    the memory (400 MB less at a million positions).
    """
    dates = [name for name, dtype in rows.schema.items() if dtype == pl.Date]
    fits = [name for name in dates
            if rows[name].is_null().all()
            or NANOSECOND_RANGE[0] <= rows[name].min() <= rows[name].max()  # type: ignore[operator]
            <= NANOSECOND_RANGE[1]]
    repeated = [name for name, dtype in rows.schema.items()
                if dtype == pl.String and rows[name].n_unique() * CATEGORICAL_SHARE < rows.height]
    return rows.with_columns(pl.col(fits).cast(pl.Datetime("ns")),
                             pl.col(repeated).cast(pl.Categorical)).to_pandas()


def _failures(results: list[Any]) -> Iterator[tuple[int, str, dict[str, Any], str]]:
    """Yield each failing row of a validation result: the rule's place in the suite, the
    column, the row as Great Expectations gives it (index columns and values), and a person's
    sentence of the reason."""
    for rule, outcome in enumerate(results):
        if outcome.success:
            continue
        raised = (outcome.exception_info or {}).get("raised_exception")
        config = outcome.expectation_config
        if raised:
            message = outcome.exception_info.get("exception_message")
            raise RuntimeError(f"expectation {config.type} could not run: {message}")
        columns = config.kwargs.get("column_list") or [config.kwargs["column"]]
        reason = (config.meta or {}).get("reason", config.type)
        shown = [column for column in columns if column != "source_file"]
        for failure in outcome.result.get("unexpected_index_list") or []:
            yield rule, shown[0], failure, _reason(shown, failure, reason)


def _reason(columns: list[str], failure: dict[str, Any], rule: str) -> str:
    """Return a person's sentence for one failing row: the column, its value and the rule."""
    if len(columns) > 1:
        values = ", ".join(f"{column}={_shown(failure.get(column))}" for column in columns)
        return f"{values} {rule}"
    value = failure.get(columns[0])
    if value is None or value != value:  # missing (None or NaN)
        return f"{columns[0]} {rule}"
    return f"{columns[0]}: {_shown(value)} {rule}"


def _shown(value: Any) -> str:
    """Return a value as a person would write it (dates as ISO, whole numbers without .0)."""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)
