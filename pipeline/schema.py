"""The warehouse's schema: the raw and staged table of each extract kind, the audit tables.

Layers: raw_<kind> (every column as read, text), the staged tables named in the contract
(positions, determinations, performance_ratings, maturity_assessments), load_audit and
quarantine, reference tables ref_* (pipeline.reference, rebuilt from data/ on every run), and
the models the later stages build (pipeline.catalog). Every table's SQL lives under sql/, one
file per table.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipeline.contract import ROW_NUMBER, SPECS, ExtractKind
from pipeline.reference import refresh_reference_tables
from pipeline.settings import sql_text

AUDIT_TABLES = ("audit/load_audit.sql", "audit/quarantine.sql", "audit/flag_reviews.sql")
FLAG_TABLES = ("marts/flags.sql", "marts/open_flags.sql")  # the check stage fills flags


def prepare(connection: duckdb.DuckDBPyConnection) -> None:
    """Create what a run needs: macros, reference tables, and every table not there yet."""
    connection.execute(sql_text("macros.sql"))
    refresh_reference_tables(connection)
    for path in (*AUDIT_TABLES, *FLAG_TABLES):
        connection.execute(sql_text(path))
    connection.execute("create table if not exists classification_spellings ("
                       "jurisdiction varchar, spelling_key varchar, classification_code varchar,"
                       " primary key (jurisdiction, spelling_key))")
    for kind in ExtractKind:
        _create_raw_table(connection, kind)
        _create_staged_table(connection, kind)


def raw_table(kind: ExtractKind) -> str:
    """Return the name of the raw (as read) table of an extract kind."""
    return f"raw_{kind.value}"


def empty_incoming(kind: ExtractKind) -> pl.DataFrame:
    """Return an empty frame shaped as an incoming extract of this kind (all text)."""
    schema: dict[str, pl.DataType] = {"source_file": pl.String(), ROW_NUMBER: pl.Int64()}
    schema.update({column: pl.String() for column in SPECS[kind].columns})
    return pl.DataFrame(schema=schema)


def staging_sql(kind: ExtractKind) -> str:
    """Return the staging model of an extract kind (it reads the temp view `incoming`)."""
    return sql_text(f"staging/{SPECS[kind].table}.sql")


def _create_raw_table(connection: duckdb.DuckDBPyConnection, kind: ExtractKind) -> None:
    """Create raw_<kind>: the contract's columns as text, plus any extra columns as JSON."""
    columns = ", ".join(f'"{column}" varchar' for column in SPECS[kind].columns)
    connection.execute(f"create table if not exists {raw_table(kind)} (source_file varchar, "
                       f"{ROW_NUMBER} bigint, {columns}, extra_columns json)")
    existing = {row[0] for row in connection.execute(
        "select column_name from information_schema.columns where table_name = ?"
        " and table_schema = 'main'", [raw_table(kind)]).fetchall()}
    for column in SPECS[kind].columns:
        if column not in existing:
            connection.execute(f'alter table {raw_table(kind)} add column "{column}" varchar')


def _create_staged_table(connection: duckdb.DuckDBPyConnection, kind: ExtractKind) -> None:
    """Create the staged table of a kind with the columns its staging model produces."""
    register_incoming(connection, empty_incoming(kind))
    table = SPECS[kind].table
    connection.execute(f"create or replace temp table staged_shape as "
                       f"select * exclude (problems) from ({staging_sql(kind)}) where false")
    connection.execute(f"create table if not exists {table} as select * from staged_shape")
    _add_missing_columns(connection, table, "staged_shape")
    connection.execute("drop table staged_shape")
    unregister_incoming(connection)


def _add_missing_columns(connection: duckdb.DuckDBPyConnection, table: str, shape: str) -> None:
    """Add to a table the columns a newer version of its model has (a warehouse built earlier)."""
    rows = connection.execute(
        "select column_name, data_type from information_schema.columns where table_name = ?"
        " and column_name not in (select column_name from information_schema.columns"
        " where table_name = ? and table_schema = 'main') order by ordinal_position",
        [shape, table]).fetchall()
    for column, data_type in rows:
        connection.execute(f'alter table {table} add column "{column}" {data_type}')


def register_incoming(connection: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Expose a frame to the staging models as the temp view `incoming`.

    The frame goes to DuckDB as Arrow with string views, as polars holds text: the default
    conversion copies every string (about 600 MB more memory at a million positions).
    """
    connection.register("incoming_frame", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
    connection.execute("create or replace temp view incoming as select * from incoming_frame")


def unregister_incoming(connection: duckdb.DuckDBPyConnection) -> None:
    """Remove the temp view `incoming` and the frame behind it."""
    connection.execute("drop view if exists incoming")
    connection.unregister("incoming_frame")
