"""The DuckDB warehouse: opening it, its schema, and the reference tables taken from data/.

A run never writes the published warehouse file in place: it takes an exclusive lock
(FILE.lock), works on a copy (FILE.building) and, only when every stage has finished, replaces
FILE with it in one atomic rename. A run killed at any point leaves FILE as it was; readers
(the dashboard, exports) always see a complete warehouse, even while a run is going on. Every
publish writes a new id to `warehouse_version`, so a reader can tell which publish it reads.
A warehouse file without write permission, a folder that cannot be written and a full disk
are refused with a WarehouseError (exit 2), never half-done.

Layers: raw_<kind> (every column as read, text), the staged tables named in the contract
(positions, determinations, performance_ratings, maturity_assessments), load_audit and
quarantine, reference tables ref_* (rebuilt from data/ on every run), and the marts the later
stages build. Every table's SQL lives under sql/, one file per table.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from pipeline import frameworks
from pipeline.contract import SPECS, ExtractKind
from pipeline.errors import WarehouseError
from pipeline.read import ROW_NUMBER
from pipeline.settings import data_file, sql_text

T = TypeVar("T")
MEMORY_LIMIT = "2GB"  # DuckDB's share of memory (docs/benchmarks.md); the rest is Python's
MEMORY_LIMIT_ENV = "WORKVALUE_MEMORY_LIMIT"
AUDIT_TABLES = ("audit/load_audit.sql", "audit/quarantine.sql", "audit/flag_reviews.sql")
VERSION_TABLE = "audit/warehouse_version.sql"
VERSION_TABLE_NAME = "warehouse_version"
INPUTS_TABLE_NAME = "published_inputs"  # what the marts were built with (pipeline.run)
NO_SPACE = "No space left on device"  # how DuckDB words a full disk (strerror of ENOSPC)


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Return a connection to the warehouse file; raise WarehouseError if it cannot be opened."""
    if read_only and not path.exists():
        raise WarehouseError(f"warehouse {path} does not exist: run `workvalue run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        detail = str(error).splitlines()[0]
        if "lock" in detail.lower():
            raise WarehouseError(f"warehouse {path} is in use by another process "
                                 f"(a run is writing to it): {detail}") from error
        raise WarehouseError(f"warehouse {path} cannot be opened: {detail}") from error
    connection.execute(f"set memory_limit = '{memory_limit()}'")
    return connection


def memory_limit() -> str:
    """Return the memory DuckDB may use: $WORKVALUE_MEMORY_LIMIT, else MEMORY_LIMIT.

    Past it DuckDB spills to a FILE.tmp folder beside the warehouse (its default temp_directory,
    removed when the connection closes), so a run of ten million rows stays within its limit
    instead of DuckDB's default of 80% of the machine's memory. Raise WarehouseError if the
    value is not an amount such as 2GB or 512MB.
    """
    value = os.environ.get(MEMORY_LIMIT_ENV, MEMORY_LIMIT).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value, flags=re.IGNORECASE):
        raise WarehouseError(f"{MEMORY_LIMIT_ENV}={value} is not an amount of memory such as"
                             " 2GB or 512MB")
    return value


@contextmanager
def writing(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a working copy of the warehouse; publish it atomically on success."""
    with locked(path), working_copy(path) as connection:
        yield connection


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the warehouse's write lock (FILE.lock); refuse at once if another writer holds it.

    A working copy left by a killed run is removed as soon as the lock is held.
    """
    _guard_os(lambda: path.parent.mkdir(parents=True, exist_ok=True), path)
    _refuse_read_only(path)
    with _exclusive_lock(path):
        _remove(_working_path(path))
        yield


@contextmanager
def working_copy(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to FILE.building, a copy of FILE; rename it over FILE on success.

    The caller holds locked(path).
    """
    working = _working_path(path)
    _guard_os(lambda: shutil.copyfile(path, working) if path.exists() else None, path)
    connection = connect(working)
    try:
        previous = _version(connection)
        yield connection
        connection.execute(sql_text(VERSION_TABLE))
        _carry_published_inputs(connection, previous)
        connection.execute("checkpoint")
    except BaseException as error:
        connection.close()
        _remove(working)
        if _out_of_space(error):
            raise WarehouseError(f"no space left on the device for warehouse {path}: "
                                 "nothing was published, the warehouse is as it was"
                                 ) from error
        raise
    connection.close()
    _guard_os(lambda: os.replace(working, path), path)
    _sync_folder(path.parent)


def _version(connection: duckdb.DuckDBPyConnection) -> str | None:
    """Return the warehouse's publish id, or None for a new warehouse."""
    if VERSION_TABLE_NAME not in table_names(connection):
        return None
    return scalar(connection, f"select version_id from {VERSION_TABLE_NAME}")


def _carry_published_inputs(connection: duckdb.DuckDBPyConnection, previous: str | None) -> None:
    """Stamp published_inputs with this publish's id: a run's new row, or the row it carries.

    A row still naming the previous publish is carried forward (a review changes no mart); a row
    naming any other publish is left as it is, so the next run sees the marts as not its own.
    """
    if not has_column(connection, INPUTS_TABLE_NAME, "version_id"):  # none, or an early one
        return
    connection.execute(f"update {INPUTS_TABLE_NAME} set version_id = (select version_id from"
                       f" {VERSION_TABLE_NAME}) where version_id is null or version_id = ?",
                       [previous])


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so that a rename in it survives a power loss.

    Best effort: the rename has published already, and some file systems (network and FUSE
    mounts) cannot sync a folder; that is no reason to report a failed run.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        return


def _working_path(path: Path) -> Path:
    """Return where a run builds the next version of the warehouse: FILE.building."""
    return path.with_name(path.name + ".building")


def _refuse_read_only(path: Path) -> None:
    """Raise WarehouseError if the warehouse file exists but may not be written.

    The write permission bits are checked as well as access(2), so that a file made read-only
    (chmod a-w) is left alone even by a user, such as root, whom the system would let write it.
    """
    if not path.exists():
        return
    if not os.access(path, os.W_OK) or not stat.S_IMODE(path.stat().st_mode) & 0o222:
        raise WarehouseError(f"warehouse {path} cannot be written: the file is read-only "
                             "(give it write permission, or use another --warehouse)")


def _out_of_space(error: BaseException) -> bool:
    """Return whether an error, or one it was raised while handling, is a full disk."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return any((isinstance(each, OSError) and each.errno == errno.ENOSPC)
               or NO_SPACE in str(each) for each in chain)


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold FILE.lock for the duration; refuse at once if another run holds it."""
    lock_path = path.with_name(path.name + ".lock")
    handle = _guard_os(lambda: lock_path.open("a+"), path)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise WarehouseError(f"warehouse {path} is being written by another workvalue run;"
                                 " try again when it has finished") from error
        yield
    finally:
        handle.close()


def _guard_os(action: Callable[[], T], path: Path) -> T:
    """Return the action's result; turn a full disk or a denied write into a WarehouseError."""
    try:
        return action()
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise WarehouseError(f"no space left on the device for warehouse {path}") from error
        raise WarehouseError(f"warehouse {path} cannot be written: {error.strerror}") from error


def _remove(path: Path) -> None:
    """Remove a file and its DuckDB write-ahead log, if present."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def prepare(connection: duckdb.DuckDBPyConnection) -> None:
    """Create what a load needs: macros, reference tables, and every table not there yet."""
    connection.execute(sql_text("macros.sql"))
    refresh_reference_tables(connection)
    for path in AUDIT_TABLES:
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


def refresh_reference_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the ref_* tables from data/ (patterns, crosswalk, stream aliases)."""
    tables = {
        "ref_classification_patterns": classification_patterns(),
        "ref_crosswalk": crosswalk(),
        "ref_stream_aliases": stream_aliases(),
        "ref_jurisdictions": jurisdictions(),
    }
    for name, frame in tables.items():
        register_table(connection, name, frame)


def classification_patterns() -> pl.DataFrame:
    """Return data/classifications.toml as one row per (jurisdiction, pattern), in order."""
    rows = [
        {"jurisdiction": jurisdiction, "priority": priority, "pattern": entry["pattern"],
         "code": entry["code"]}
        for priority, entry in enumerate(data_file("classifications.toml")["patterns"])
        for jurisdiction in entry["jurisdictions"]
    ]
    return pl.DataFrame(rows, schema={"jurisdiction": pl.String, "priority": pl.Int64,
                                      "pattern": pl.String, "code": pl.String})


def crosswalk() -> pl.DataFrame:
    """Return data/crosswalk.toml: classification code -> tier, rank, executive."""
    frame = pl.DataFrame(data_file("crosswalk.toml")["grades"])
    return frame.rename({"code": "classification_code"}).select(
        "classification_code", "tier", pl.col("rank").cast(pl.Int64),
        pl.col("executive").cast(pl.Boolean))


def jurisdictions() -> pl.DataFrame:
    """Return data/jurisdictions.toml: code, name, and whether determinations are expected."""
    return pl.DataFrame(
        [(entry["code"], entry["name"], entry.get("determinations_expected", True))
         for entry in data_file("jurisdictions.toml")["jurisdictions"]],
        schema={"jurisdiction": pl.String, "name": pl.String,
                "determinations_expected": pl.Boolean}, orient="row")


def stream_aliases() -> pl.DataFrame:
    """Return the frameworks' stream aliases: (jurisdiction, alias key) -> stream code."""
    return pl.DataFrame(
        [(alias.jurisdiction, alias.alias_key, alias.stream_code)
         for alias in frameworks.stream_aliases()],
        schema={"jurisdiction": pl.String, "alias_key": pl.String, "stream_code": pl.String},
        orient="row")


def build_models(connection: duckdb.DuckDBPyConnection, paths: tuple[str, ...], *,
                 temporary: bool = False) -> None:
    """Rebuild each model (a select under sql/) as a table named after its file, in order.

    A temporary model lives only while this connection does: one that only later stages of the
    run read need not be written into the warehouse (at ten million positions, 5 s less).
    """
    for path in paths:
        name = Path(path).stem
        if temporary:
            connection.execute(f"drop table if exists main.{name}")  # kept by older versions
        kind = "temp table" if temporary else "table"
        connection.execute(f"create or replace {kind} {name} as {sql_text(path)}")


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
