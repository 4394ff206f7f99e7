"""Context: what every page is given: the warehouse to read, the filters, and their options.

The warehouse is read through WarehouseReader, which opens the file read-only once per script
run and closes it when the run ends. A `workvalue run` never writes the file in place (it
publishes a finished copy by renaming it over the file), so a reader sees one complete publish
from its first query to its last, even while a run is writing the next one.

Query results are cached (st.cache_data) on the warehouse's path, its agency scope and the
version the reader pinned when it opened the file: the publish id in `warehouse_version` (which
names the content the open connection reads, even when DuckDB hands this process an instance it
opened before a publish) and the file's modification times (which change with any write). A new
run, or a review written, gives new keys.

With `--agency CODE` (after `--`) the reader's connection is scoped to that agency
(dashboards/scope.py): every query reads that agency's rows only.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import streamlit as st

from dashboards import scope
from dashboards.filters import FilterOptions, Filters
from pipeline import warehouse as pipeline_warehouse
from pipeline.errors import WarehouseError

T = TypeVar("T")
CONTEXT_KEY = "workvalue_page_context"
WAREHOUSE_ENV = "WORKVALUE_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
CACHE_ENTRIES = 512


def _arguments(arguments: Sequence[str]) -> argparse.Namespace:
    """Return the app's own arguments (given after `--` to streamlit run)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--agency", default=None)
    known, _ = parser.parse_known_args(list(arguments))
    return known


def warehouse_path(arguments: Sequence[str]) -> Path:
    """Return the warehouse named by --warehouse, else $WORKVALUE_WAREHOUSE, else the default."""
    known = _arguments(arguments)
    if known.warehouse is not None:
        return known.warehouse
    return Path(os.environ.get(WAREHOUSE_ENV, DEFAULT_WAREHOUSE))


def agency_scope(arguments: Sequence[str]) -> str | None:
    """Return the agency code the dashboard is scoped to (--agency), or None for every agency."""
    agency = _arguments(arguments).agency
    return agency if agency else None


def file_version(path: Path) -> tuple[int, int]:
    """Return the modification times (ns) of the warehouse file and its WAL (0 if absent)."""
    wal = path.with_name(path.name + ".wal")
    return (path.stat().st_mtime_ns if path.exists() else 0,
            wal.stat().st_mtime_ns if wal.exists() else 0)


def publish_id(connection: duckdb.DuckDBPyConnection) -> str | None:
    """Return the publish id of the warehouse a connection reads (None if it has none yet)."""
    present = connection.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database()"
        " and table_schema = 'main' and table_name = 'warehouse_version'").fetchall()[0][0]
    if not present:
        return None
    return connection.execute("select max(version_id) from warehouse_version").fetchall()[0][0]


class WarehouseChanged(WarehouseError):
    """A reader had to reopen the warehouse and found another publish than the one it pinned."""


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _cached_query(path: str, version: tuple[Any, ...], agency: str | None, name: str,
                  arguments: tuple[Any, ...], _reader: WarehouseReader,
                  _query: Callable[..., Any]) -> Any:
    """Return a query's result; cached per warehouse path, version, scope, query, arguments."""
    return _query(_reader.connection(), *arguments)


@dataclass
class WarehouseReader:
    """A warehouse file read by one script run: a read-only connection pinned to one publish."""

    path: Path
    agency: str | None = None  # the agency the dashboard is scoped to, if any
    version: tuple[Any, ...] = ()
    _connection: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path, agency: str | None = None) -> WarehouseReader:
        """Return a reader of the warehouse as it is now: opened, scoped, its version pinned."""
        reader = cls(path=path, agency=agency)
        reader.version = reader._open()
        return reader

    def _open(self) -> tuple[Any, ...]:
        """Open the read-only (and, if scoped, restricted) connection; return its version."""
        modified = file_version(self.path)
        try:
            connection = pipeline_warehouse.connect(self.path, read_only=True)
        except duckdb.ConnectionException as error:  # open read-write in this process
            raise WarehouseError(f"warehouse {self.path} is being written: "
                                 f"{error}") from error
        try:
            version = (publish_id(connection), *modified)
            if self.agency is not None:
                scope.apply(connection, self.agency)
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return version

    def connection(self) -> duckdb.DuckDBPyConnection:
        """Return the run's read-only connection (reopened after a write, if still the same)."""
        if self._connection is None and self._open()[0] != self.version[0]:
            self.close()
            raise WarehouseChanged(f"warehouse {self.path} was published anew while this page "
                                   "was drawn")
        return cast(duckdb.DuckDBPyConnection, self._connection)

    def query(self, query: Callable[..., T], *arguments: Any) -> T:
        """Return query(connection, *arguments), from the cache when the warehouse is unchanged."""
        name = f"{query.__module__}.{query.__qualname__}"
        return _cached_query(str(self.path.resolve()), self.version, self.agency, name,
                             arguments, _reader=self, _query=query)

    def close(self) -> None:
        """Close the connection if this run opened one."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def write(self, action: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Return action(connection) run on a writable copy that is then published atomically.

        Goes through pipeline.warehouse.writing: the run lock (a review waits for no run and is
        never lost to one), a working copy, and an atomic rename. The read-only connection is
        closed first; the new publish id (and modification time) retires the cached results.
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

    @property
    def agency(self) -> str | None:
        """Return the agency the dashboard is scoped to (--agency), or None."""
        return self.reader.agency

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
