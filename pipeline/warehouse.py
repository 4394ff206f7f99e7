"""The warehouse file's lifecycle: opening it, the write lock and the working copy it publishes.

A run never writes the published warehouse file in place: it takes an exclusive lock
(FILE.lock), works on a copy (FILE.building) and, only when every stage has finished, replaces
FILE with it in one atomic rename: that rename is the publish. A run killed at any point leaves
FILE as it was; readers (the dashboard, exports) always see a complete warehouse, even while a
run is going on. Every publish writes a new id to `warehouse_version`, so a reader can tell
which publish it reads. A warehouse file without write permission, a folder that cannot be
written and a full disk are refused with a WarehouseError (exit 2), never half-done.

What the file holds is made elsewhere: its tables (pipeline.schema), the reference tables from
data/ (pipeline.reference) and the models of sql/ (pipeline.catalog).
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

from pipeline.duck import has_column, scalar, table_names
from pipeline.errors import WarehouseError
from pipeline.settings import sql_text

T = TypeVar("T")
MEMORY_LIMIT = "2GB"  # DuckDB's share of memory (docs/benchmarks.md); the rest is Python's
MEMORY_LIMIT_ENV = "WORKVALUE_MEMORY_LIMIT"
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
    """Yield a connection to a working copy of the warehouse; publish it atomically on success.

    A path through a link is resolved once (real_path): the file it leads to is locked and
    replaced, never the link.
    """
    real = real_path(path)
    with locked(real), working_copy(real) as connection:
        yield connection


def real_path(path: Path) -> Path:
    """Return the warehouse file a path names, links followed (it may not exist yet).

    What a writer locks and publishes: FILE.lock and the rename over FILE are the real file's,
    whichever link named it. Raise WarehouseError for a link that goes round in a loop.
    """
    try:
        return path.resolve()
    except (OSError, RuntimeError) as error:
        raise WarehouseError(f"warehouse {path} is a link that leads nowhere (a loop)"
                             ) from error


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
