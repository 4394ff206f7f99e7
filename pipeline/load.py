"""Load: put one read extract into the warehouse, in one transaction, losing nothing.

Every row read lands in raw_<kind>. Rows that cannot be used (a value that cannot be read, a
suite rule broken, a key already loaded from another file) go to `quarantine` with every reason;
the rest go to the staged table. load_audit records the counts, which always reconcile:
rows_read = rows_loaded + rows_quarantined. A file whose content (sha256) is already loaded is
skipped; a new version of a file already loaded replaces the old version's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import duckdb
import polars as pl

from pipeline.contract import SPECS, ExtractKind
from pipeline.read import ROW_NUMBER, RawExtract
from pipeline.settings import sql_text
from pipeline.validate import Validator
from pipeline.warehouse import (
    raw_table,
    register_incoming,
    scalar,
    staging_sql,
    unregister_incoming,
)

SPELLING_COLUMNS = {
    ExtractKind.POSITIONS: "classification",
    ExtractKind.DETERMINATIONS: "determined_classification",
}


class LoadStatus(StrEnum):
    """What loading a file did."""

    LOADED = "loaded"
    REPLACED = "replaced"  # a new version of a file loaded before
    UNCHANGED = "unchanged"  # this content was loaded before: nothing added


@dataclass(frozen=True)
class FileLoad:
    """The outcome of loading one file, as the run summary reports it."""

    source_file: str
    kind: ExtractKind
    status: LoadStatus
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    notes: tuple[str, ...] = ()


def load_extract(connection: duckdb.DuckDBPyConnection, raw: RawExtract,
                 validator: Validator, loaded_at: dt.datetime) -> FileLoad:
    """Return the outcome of loading one extract; the file's load is one transaction."""
    done = _already_loaded(connection, raw)
    if done is not None:
        return done
    connection.begin()
    try:
        replaced = _supersede(connection, raw, loaded_at)
        outcome = _load_rows(connection, raw, validator, loaded_at)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        unregister_incoming(connection)
        connection.execute("drop table if exists staged")
    status = LoadStatus.REPLACED if replaced else LoadStatus.LOADED
    return FileLoad(raw.file.name, raw.file.kind, status, *outcome, notes=raw.notes)


def _already_loaded(connection: duckdb.DuckDBPyConnection, raw: RawExtract) -> FileLoad | None:
    """Return the earlier load of the same content, or None if this content is new."""
    rows = connection.execute(
        "select source_file, rows_read, rows_loaded, rows_quarantined from load_audit"
        " where sha256 = ? and superseded_at is null", [raw.sha256]).fetchall()
    if not rows:
        return None
    row = rows[0]
    note = () if row[0] == raw.file.name else (f"same content as {row[0]}, already loaded",)
    return FileLoad(raw.file.name, raw.file.kind, LoadStatus.UNCHANGED, row[1], 0, 0, note)


def _supersede(connection: duckdb.DuckDBPyConnection, raw: RawExtract,
               loaded_at: dt.datetime) -> bool:
    """Remove an older version of this file's rows; return whether there was one."""
    name, spec = raw.file.name, SPECS[raw.file.kind]
    previous = scalar(connection, "select count(*) from load_audit where source_file = ?"
                      " and superseded_at is null", [name])
    if previous == 0:
        return False
    for table in (raw_table(raw.file.kind), spec.table, "quarantine"):
        connection.execute(f"delete from {table} where source_file = ?", [name])
    connection.execute("update load_audit set superseded_at = ? where source_file = ?"
                       " and superseded_at is null", [loaded_at, name])
    return True


def _load_rows(connection: duckdb.DuckDBPyConnection, raw: RawExtract,
               validator: Validator, loaded_at: dt.datetime) -> tuple[int, int, int]:
    """Write raw, staged, quarantine and audit rows; return rows read, loaded, quarantined."""
    kind, spec = raw.file.kind, SPECS[raw.file.kind]
    incoming = conform(raw)
    register_incoming(connection, incoming)
    connection.execute(f"insert into {raw_table(kind)} by name select * from incoming_frame")
    _record_spellings(connection, kind)
    connection.execute(f"create temp table staged as {staging_sql(kind)}")
    problems = _problems(connection, raw, validator)
    connection.register("row_problems", problems)
    connection.execute(
        f"insert into {spec.table} select * exclude (problems) from staged"
        f" where {ROW_NUMBER} not in (select {ROW_NUMBER} from row_problems)")
    quarantined = _quarantine(connection, raw, problems)
    connection.unregister("row_problems")
    loaded = incoming.height - problems.height
    connection.execute(
        "insert into load_audit values (?, ?, ?, ?, ?, ?, ?, ?, null)",
        [raw.file.name, raw.sha256, kind.value, raw.rows_read, loaded, quarantined, loaded_at,
         "; ".join(raw.notes) or None])
    return raw.rows_read, loaded, quarantined


def conform(raw: RawExtract) -> pl.DataFrame:
    """Return the rows with every contract column (missing ones empty) and extras as JSON."""
    spec = SPECS[raw.file.kind]
    rows = raw.rows
    extras = [column for column in rows.columns if column not in (*spec.columns, ROW_NUMBER)]
    extra_json = (pl.struct(extras).struct.json_encode() if extras
                  else pl.lit(None, dtype=pl.String))
    return rows.select(
        pl.lit(raw.file.name).alias("source_file"),
        pl.col(ROW_NUMBER),
        *[pl.col(column) if column in rows.columns else pl.lit(None, dtype=pl.String)
          .alias(column) for column in spec.columns],
        extra_json.alias("extra_columns"),
    )


def _record_spellings(connection: duckdb.DuckDBPyConnection, kind: ExtractKind) -> None:
    """Record the incoming file's classification spellings with the codes data/ now gives."""
    column = SPELLING_COLUMNS.get(kind)
    if column is None:
        return
    connection.execute("create or replace temp view incoming_spellings as select jurisdiction,"
                       f" {column} as spelling from incoming")
    connection.execute("insert or replace into classification_spellings "
                       + sql_text("reference/classification_spellings.sql"))
    connection.execute("drop view incoming_spellings")


def _problems(connection: duckdb.DuckDBPyConnection, raw: RawExtract,
              validator: Validator) -> pl.DataFrame:
    """Return one row per problem row: row_number and every reason, "; "-separated."""
    kind = raw.file.kind
    parsing = connection.sql(
        f"select {ROW_NUMBER}, regexp_extract(problem, '^(\\w+):', 1) as column, problem as reason"
        " from (select row_number, unnest(problems) as problem from staged)").pl()
    suite = validator.problems(kind, connection.sql("select * exclude (problems) from staged")
                               .pl())
    suite = suite.join(parsing.select(ROW_NUMBER, "column"), on=[ROW_NUMBER, "column"],
                       how="anti")  # a value that could not be read is reported once
    every = pl.concat([parsing, suite, _duplicates_of_loaded(connection, kind)])
    return every.group_by(ROW_NUMBER).agg(
        pl.col("reason").unique(maintain_order=True).str.join("; ")).sort(ROW_NUMBER)


def _duplicates_of_loaded(connection: duckdb.DuckDBPyConnection,
                          kind: ExtractKind) -> pl.DataFrame:
    """Return the rows whose key was already loaded from another file."""
    spec = SPECS[kind]
    on = " and ".join(f"loaded.{column} = staged.{column}" for column in spec.key)
    key = ", ".join(spec.key)
    return connection.sql(
        f"select distinct staged.{ROW_NUMBER}, '{spec.key[-1]}' as column,"
        f" '{key} already loaded from ' || loaded.source_file as reason"
        f" from staged join {spec.table} as loaded on {on}").pl()


def _quarantine(connection: duckdb.DuckDBPyConnection, raw: RawExtract,
                problems: pl.DataFrame) -> int:
    """Write quarantine rows for problem rows and unsplittable lines; return how many."""
    columns = [column for column in raw.rows.columns if column != ROW_NUMBER]
    rows = raw.rows.join(problems, on=ROW_NUMBER, how="inner").select(
        pl.lit(raw.file.name).alias("source_file"), pl.col(ROW_NUMBER), pl.col("reason"),
        pl.struct(columns).struct.json_encode().alias("raw_record"))
    lines = raw.rejected.select(
        pl.lit(raw.file.name).alias("source_file"), pl.col(ROW_NUMBER), pl.col("reason"),
        pl.struct(pl.col("raw_line").alias("line")).struct.json_encode().alias("raw_record"))
    both = pl.concat([rows, lines])
    connection.register("quarantine_frame", both)
    connection.execute("insert into quarantine select * from quarantine_frame")
    connection.unregister("quarantine_frame")
    return both.height
