"""Context: what every page is given: the warehouse to read, the filters, and their options.

The warehouse is read through WarehouseReader, which opens the file read-only, once per script
run and only when a query is not cached, and closes it when the run ends, so a `workvalue run`
can write between page views. Query results are cached (st.cache_data) on the warehouse's path
and modification times: a new run of the pipeline, or a review written, gives new keys.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from dashboards.filters import FilterOptions, Filters
from pipeline import warehouse as pipeline_warehouse
from pipeline.errors import WarehouseError

T = TypeVar("T")
CONTEXT_KEY = "workvalue_page_context"
WAREHOUSE_ENV = "WORKVALUE_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
CACHE_ENTRIES = 512


def warehouse_path(arguments: Sequence[str]) -> Path:
    """Return the warehouse named by --warehouse, else $WORKVALUE_WAREHOUSE, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse", type=Path, default=None)
    known, _ = parser.parse_known_args(list(arguments))
    if known.warehouse is not None:
        return known.warehouse
    return Path(os.environ.get(WAREHOUSE_ENV, DEFAULT_WAREHOUSE))


def file_version(path: Path) -> tuple[int, int]:
    """Return the modification times (ns) of the warehouse file and its WAL (0 if absent)."""
    wal = path.with_name(path.name + ".wal")
    return (path.stat().st_mtime_ns if path.exists() else 0,
            wal.stat().st_mtime_ns if wal.exists() else 0)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _cached_query(path: str, version: tuple[int, int], name: str, arguments: tuple[Any, ...],
                  _reader: WarehouseReader, _query: Callable[..., Any]) -> Any:
    """Return a query's result; cached per warehouse path, version, query and arguments."""
    return _query(_reader.connection(), *arguments)


@dataclass
class WarehouseReader:
    """A warehouse file read by one script run: a lazily opened read-only connection."""

    path: Path
    version: tuple[int, int] = (0, 0)
    _connection: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path) -> WarehouseReader:
        """Return a reader of the warehouse at path, as its file stands now."""
        return cls(path=path, version=file_version(path))

    def connection(self) -> duckdb.DuckDBPyConnection:
        """Return the run's read-only connection, opening it on first use."""
        if self._connection is None:
            try:
                self._connection = pipeline_warehouse.connect(self.path, read_only=True)
            except duckdb.ConnectionException as error:  # open read-write in this process
                raise WarehouseError(f"warehouse {self.path} is being written: "
                                     f"{error}") from error
        return self._connection

    def query(self, query: Callable[..., T], *arguments: Any) -> T:
        """Return query(connection, *arguments), from the cache when the warehouse is unchanged."""
        name = f"{query.__module__}.{query.__qualname__}"
        return _cached_query(str(self.path.resolve()), self.version, name, arguments,
                             _reader=self, _query=query)

    def close(self) -> None:
        """Close the connection if this run opened one."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def write(self, action: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Return action(connection) run on a writable copy that is then published atomically.

        Goes through pipeline.warehouse.writing: the run lock (a review waits for no run and is
        never lost to one), a working copy, and an atomic rename. The read-only connection is
        closed first; the file's new modification time retires the cached results.
        """
        self.close()
        with pipeline_warehouse.writing(self.path) as connection:
            return action(connection)


@dataclass(frozen=True)
class PageContext:
    """What app.py hands every page: the warehouse, its tables, the filters and options."""

    reader: WarehouseReader
    tables: frozenset[str]
    options: FilterOptions
    filters: Filters

    def has(self, *tables: str) -> bool:
        """Return whether the warehouse has every one of the tables."""
        return all(table in self.tables for table in tables)


def publish(context: PageContext) -> None:
    """Hand the context to the page about to run (app.py calls this before the page)."""
    st.session_state[CONTEXT_KEY] = context


def current() -> PageContext:
    """Return the context app.py published for this run; raise if a page runs on its own."""
    context = st.session_state.get(CONTEXT_KEY)
    if not isinstance(context, PageContext):
        raise RuntimeError("dashboard pages run inside dashboards/app.py: "
                           "start the dashboard with `workvalue dashboard --warehouse FILE`")
    return context
