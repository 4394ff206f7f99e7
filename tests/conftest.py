"""Fixtures of the reading, staging, loading, malformed-input, export and CLI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline import schema
from tests.helpers import Opener


@pytest.fixture
def read_only() -> Iterator[Opener]:
    """Return an opener of a warehouse file as a read-only connection, closed after the test."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def open_(path: Path) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(str(path), read_only=True)
        opened.append(connection)
        return connection

    yield open_
    for connection in opened:
        connection.close()


@pytest.fixture(scope="session")
def prepared() -> Iterator[duckdb.DuckDBPyConnection]:
    """Return an in-memory warehouse with macros, reference and empty tables (built once)."""
    connection = duckdb.connect()
    schema.prepare(connection)
    yield connection
    connection.close()


@pytest.fixture
def memory(prepared: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Return the in-memory warehouse, emptied of every loaded row after the test."""
    yield prepared
    tables = prepared.execute(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        " and table_schema = 'main' and table_name not like 'ref\\_%' escape '\\'").fetchall()
    for (table,) in tables:
        prepared.execute(f'delete from "{table}"')
