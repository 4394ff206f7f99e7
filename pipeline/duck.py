"""Small DuckDB helpers every stage uses: a first value, a table's columns, a frame as a table."""

from __future__ import annotations

import duckdb
import polars as pl


def register_table(connection: duckdb.DuckDBPyConnection, name: str,
                   frame: pl.DataFrame) -> None:
    """Replace a table with the rows of a polars frame."""
    connection.register("frame_to_store", frame)
    connection.execute(f"create or replace table {name} as select * from frame_to_store")
    connection.unregister("frame_to_store")


def scalar(connection: duckdb.DuckDBPyConnection, query: str,
           parameters: list[object] | None = None) -> object:
    """Return the first value of a query's first row, or None when it returns no row."""
    rows = connection.execute(query, parameters or []).fetchall()
    return rows[0][0] if rows else None


def has_column(connection: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Return whether the warehouse has a table (or view) with this column."""
    return bool(scalar(connection, "select count(*) from information_schema.columns where"
                       " table_schema = 'main' and table_name = ? and column_name = ?",
                       [table, column]))


def table_names(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the names of the warehouse's tables and views."""
    return [row[0] for row in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
        " order by table_name").fetchall()]
