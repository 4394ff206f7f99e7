"""Great Expectations' process: it runs the suites' checks for a run (pipeline.validate).

Started by pipeline.validate as `python -m pipeline.expectations_process`, it answers requests
until its standard input closes. A request is a pickled (name, arguments) on standard input
(REQUESTS names them); the answer, on standard output, is a pickled ("ok", value) or
("error", message). Great Expectations and pandas live only here: importing them costs about 6 s
of CPU, which the run process would otherwise spend holding Python's lock while it reads and
stages files. What comes and goes is small: the frames pipeline.validate builds (distinct values,
rows whose key repeats) and each failing row's index and reason.

Great Expectations imports scipy and altair as it starts, for expectations and renderers the
suites never use (expectations/*.json: not null, in a set, between, unique): they are imported
lazily here (LAZY_PACKAGES), on first use, which takes 2 s off the start.
"""

from __future__ import annotations

import datetime as dt
import importlib.abc
import importlib.machinery
import importlib.util
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from types import ModuleType
from typing import IO, Any

import polars as pl

from pipeline.memory import peak_memory_mb

Failure = tuple[int, str, dict[str, Any], str]  # rule's place, column, row's index, reason
CATEGORICAL_SHARE = 20  # text with fewer distinct values than 1 in 20 rows goes as categorical
NANOSECOND_RANGE = (dt.date(1678, 1, 1), dt.date(2261, 12, 31))  # datetime64[ns] holds these
LAZY_PACKAGES = ("scipy", "altair")  # imported by Great Expectations, not used by the suites


def checked_failures(kind: str, expectations: list[dict[str, Any]], rows: pl.DataFrame,
                     index: list[str], parameters: dict[str, Any]) -> list[Failure]:
    """Return each failing row of `rows` under the expectations, as Great Expectations finds
    it: the rule's place in the list, the column, the row's index values (plain Python) and a
    person's sentence of the reason."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=kind, expectations=expectations)
    source = _context().data_sources.get("workvalue")
    asset = source.add_dataframe_asset(f"{kind}-{id(rows)}")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": as_pandas(rows)})
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index},
        expectation_parameters=parameters)
    source.delete_asset(asset.name)
    return [(rule, column, {name: _plain(failure[name]) for name in index}, reason)
            for rule, column, failure, reason in _failing_rows(result.results)]


REQUESTS: dict[str, Callable[..., Any]] = {
    "ready": lambda: True,  # answered once Great Expectations is imported
    "check": checked_failures,
    "peak_mb": peak_memory_mb,
}


@cache
def _context() -> Any:
    """Return an ephemeral Great Expectations context with one pandas data source."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("workvalue")
    return context


def as_pandas(rows: pl.DataFrame) -> Any:
    """Return the rows as a pandas frame shaped for Great Expectations to check quickly.

    Dates become nanosecond datetimes where they all fit: Great Expectations compares a
    datetime64[ns] column with a date in one vectorised step, but any other date column (polars
    dates arrive as datetime64[ms]) value by value in Python, ten times slower at a million
    rows. A column with a date outside the nanosecond range (years 1678 to 2261) keeps its
    millisecond type, and the slow path, so that no date is changed. Text with few distinct
    values (agencies, jurisdictions, titles) becomes categorical: the same values, a tenth of
    the memory.
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


def _failing_rows(results: list[Any]) -> Iterator[Failure]:
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


def _plain(value: Any) -> Any:
    """Return a numpy scalar as the Python value it holds (anything else as it is)."""
    return value.item() if hasattr(value, "item") else value


class _LazyPackages(importlib.abc.MetaPathFinder):
    """Finds the modules of LAZY_PACKAGES as usual, but loads each on its first use."""

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """Return the module's usual spec with a lazy loader, or None for other modules."""
        if name.partition(".")[0] not in LAZY_PACKAGES:
            return None
        sys.meta_path.remove(self)  # the usual finders, without this one
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer each request until `requests` ends."""
    while True:
        try:
            name, arguments = pickle.load(requests)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", REQUESTS[name](*arguments))
        except Exception as error:  # told to the run process, which raises it
            answer = ("error", f"{type(error).__name__}: {error}")
        pickle.dump(answer, answers)
        answers.flush()


def main() -> None:
    """Import Great Expectations (scipy and altair lazily), then answer requests on stdio.

    Ctrl-C at a terminal reaches this process too: it is the run's to handle (this process ends
    when the run closes its input, or dies), so it is ignored here, with no traceback printed.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.meta_path.insert(0, _LazyPackages())
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what the libraries print: to stderr
    _context()
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
