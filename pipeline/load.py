"""Load: put one read extract into the warehouse, in one transaction, losing nothing.

Every row read lands in raw_<kind>. Rows that cannot be used (a value that cannot be read, a
suite rule broken, a key already loaded from another file) go to `quarantine` with every reason;
the rest go to the staged table. load_audit records the counts, which always reconcile:
rows_read = rows_loaded + rows_quarantined, and when and by whom (the OS user) the file was
loaded. A file whose content (sha256) is already loaded is skipped; a new version of a file
already loaded replaces the old version's rows.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum

import duckdb
import polars as pl

from pipeline.audit import current_user
from pipeline.contract import SPECS, ExtractKind
from pipeline.duck import scalar
from pipeline.read import ROW_NUMBER, ExtractFile, RawExtract
from pipeline.schema import raw_table, register_incoming, staging_sql, unregister_incoming
from pipeline.settings import sql_text, staging_sha256
from pipeline.validate import Validator

NO_ROWS = "no rows: the publisher sent the header only"  # load_audit.note of a header-only file
PhaseHook = Callable[[str, float], None]  # told each phase's name and seconds (run --timings)
STAGED_BATCH = "staged_batch"  # temp table: a batch's rows as the staging model gives them

SPELLING_COLUMNS = {
    ExtractKind.POSITIONS: "classification",
    ExtractKind.DETERMINATIONS: "determined_classification",
}


class LoadStatus(StrEnum):
    """What loading a file did."""

    LOADED = "loaded"
    REPLACED = "replaced"  # a new version of a file loaded before
    UNCHANGED = "unchanged"  # this content was loaded before: nothing added
    RESTAGED = "restaged"  # loaded again from the raw layer: the configuration changed


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
    return load_batch(connection, [raw], validator, loaded_at)[0]


def load_batch(connection: duckdb.DuckDBPyConnection, raws: list[RawExtract],
               validator: Validator, loaded_at: dt.datetime,
               on_phase: PhaseHook | None = None) -> list[FileLoad]:
    """Return the outcomes of loading extracts of one kind, in order.

    The files are staged and validated together (Great Expectations costs most per call, not
    per row), then each file is loaded in its own transaction. on_phase, if given, is told the
    seconds spent staging, validating and loading (`workvalue run --timings`).
    """
    return finish_batch(connection, stage_batch(connection, raws, on_phase=on_phase), validator,
                        loaded_at, on_phase)


@dataclass
class StagedBatch:
    """Extracts of one kind staged together, waiting to be validated and loaded (finish_batch).

    `table` is the temp table of their staged rows; `done` holds the outcomes of the files
    found loaded already (by their place in `raws`), `to_load` the others.
    """

    raws: list[RawExtract]
    table: str
    done: dict[int, FileLoad]
    to_load: list[tuple[int, RawExtract]]

    @property
    def rows(self) -> int:
        """Return the rows of the files to load."""
        return sum(raw.rows_read for _, raw in self.to_load)


def stage_batch(connection: duckdb.DuckDBPyConnection, raws: list[RawExtract], *,
                table: str = STAGED_BATCH, seen: dict[str, str] | None = None,
                on_phase: PhaseHook | None = None) -> StagedBatch:
    """Return extracts of one kind staged together into the temp table `table`.

    A file whose content is loaded already, or was staged earlier (`seen`: sha256 -> file name,
    shared by the batches a run stages ahead), is not staged again.
    """
    seen = {} if seen is None else seen
    done: dict[int, FileLoad] = {}
    to_load: list[tuple[int, RawExtract]] = []
    for index, raw in enumerate(raws):
        outcome = already_loaded(connection, raw.file, raw.sha256) or _repeated(raw, seen)
        if outcome is not None:
            done[index] = outcome
            continue
        seen[raw.sha256] = raw.file.name
        to_load.append((index, raw))
    if to_load:
        with timed(on_phase, "stage"):
            stage_extracts(connection, [raw for _, raw in to_load], table)
    return StagedBatch(raws, table, done, to_load)


def finish_batch(connection: duckdb.DuckDBPyConnection, staged: StagedBatch,
                 validator: Validator, loaded_at: dt.datetime,
                 on_phase: PhaseHook | None = None) -> list[FileLoad]:
    """Return the outcomes of a staged batch's files, in order: validated together, then each
    loaded in its own transaction. The batch's temp table is dropped."""
    outcomes = dict(staged.done)
    try:
        if staged.to_load:
            with timed(on_phase, "validate"):
                repeats, suite = _suite_problems(connection, validator, staged.table,
                                                 staged.to_load[0][1].file.kind)
            for index, raw in staged.to_load:
                with timed(on_phase, "load"):
                    outcomes[index] = _load_staged(connection, raw, staged.table,
                                                   _of_file(suite, raw), _of_file(repeats, raw),
                                                   loaded_at)
    finally:
        connection.execute(f"drop table if exists {staged.table}")
    return [outcomes[index] for index in range(len(staged.raws))]


@contextmanager
def timed(on_phase: PhaseHook | None, name: str) -> Iterator[None]:
    """Time the block and tell on_phase (when given) its seconds as the phase `name`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if on_phase is not None:
            on_phase(name, time.perf_counter() - started)


def stage_extracts(connection: duckdb.DuckDBPyConnection, raws: list[RawExtract],
                   table: str = STAGED_BATCH) -> None:
    """Stage extracts of one kind together, in one query, and keep them for loading.

    Leaves the staging model's output, with source_file, as the temp table `table` until
    finish_batch drops it: the rows stay in DuckDB, which spills what does not fit in its memory
    limit, rather than in Python.
    """
    register_incoming(connection, pl.concat([conform(raw) for raw in raws],
                                             how="vertical_relaxed"))
    try:
        _record_spellings(connection, raws[0].file.kind)
        connection.execute(f"create or replace temp table {table} as "
                           + staging_sql(raws[0].file.kind))
    finally:
        unregister_incoming(connection)


def _repeated(raw: RawExtract, seen: dict[str, str]) -> FileLoad | None:
    """Return an unchanged outcome for a file whose content an earlier file of the run had."""
    if raw.sha256 not in seen:
        return None
    return FileLoad(raw.file.name, raw.file.kind, LoadStatus.UNCHANGED, raw.rows_read, 0, 0,
                    (f"same content as {seen[raw.sha256]}, already loaded",))


def _suite_problems(connection: duckdb.DuckDBPyConnection, validator: Validator, table: str,
                    kind: ExtractKind) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return a staged batch's exact repeats, and the suite's problems for its other rows.

    Both are keyed by source_file and row_number.
    """
    repeats = exact_repeats(_maybe_repeated_rows(connection, table))
    connection.register("exact_repeats", repeats.select("source_file", ROW_NUMBER))
    connection.execute(f"create or replace temp view suite_rows as select * from {table}"
                       f" anti join exact_repeats using (source_file, {ROW_NUMBER})")
    try:
        return repeats, validator.problems(kind, connection, "suite_rows")
    finally:
        connection.execute("drop view suite_rows")
        connection.unregister("exact_repeats")


def _maybe_repeated_rows(connection: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """Return a staged batch's rows that may repeat another row of their file, every column.

    Those whose values (floats aside) hash alike within their file: only they can be exact
    repeats, so only they leave DuckDB for exact_repeats to compare value for value.
    """
    described = connection.execute(f"select column_name, column_type from (describe {table})"
                                   ).fetchall()
    exact = [f'"{name}"' for name, data_type in described
             if name not in ("source_file", ROW_NUMBER, "problems")
             and data_type not in ("FLOAT", "DOUBLE")]
    repeated = (f" qualify count(*) over (partition by source_file, hash({', '.join(exact)})) > 1"
                if exact else "")
    return connection.sql(f"select * exclude (problems) from {table}{repeated}").pl()


def _of_file(frame: pl.DataFrame, raw: RawExtract) -> pl.DataFrame:
    """Return a batch's rows (keyed by source_file) that belong to one file, without the key."""
    return frame.filter(pl.col("source_file") == raw.file.name).drop("source_file")


def _load_staged(connection: duckdb.DuckDBPyConnection, raw: RawExtract, table: str,
                 suite: pl.DataFrame, repeats: pl.DataFrame, loaded_at: dt.datetime) -> FileLoad:
    """Return the outcome of writing one staged extract, in one transaction."""
    connection.begin()
    try:
        replaced = supersede(connection, raw.file.name, raw.file.kind, loaded_at)
        outcome = _load_rows(connection, raw, table, suite, repeats, loaded_at)
        connection.commit()
    except BaseException:
        with suppress(duckdb.Error):  # a failed commit has ended the transaction already
            connection.rollback()
        raise
    finally:  # outside the transaction, so that cleaning up never hides the error
        connection.execute("drop view if exists staged")
        unregister_incoming(connection)
    status = LoadStatus.REPLACED if replaced else LoadStatus.LOADED
    note = file_note(raw)
    return FileLoad(raw.file.name, raw.file.kind, status, *outcome,
                    notes=(*raw.notes, note) if note else raw.notes)


def already_loaded(connection: duckdb.DuckDBPyConnection, file: ExtractFile,
                   sha256: str) -> FileLoad | None:
    """Return the earlier load of the same content, or None if this content is new."""
    rows = connection.execute(
        "select source_file, rows_read, rows_loaded, rows_quarantined from load_audit"
        " where sha256 = ? and superseded_at is null", [sha256]).fetchall()
    if not rows:
        return None
    row = rows[0]
    note = () if row[0] == file.name else (f"same content as {row[0]}, already loaded",)
    return FileLoad(file.name, file.kind, LoadStatus.UNCHANGED, row[1], 0, 0, note)


def supersede(connection: duckdb.DuckDBPyConnection, name: str, kind: ExtractKind,
              loaded_at: dt.datetime) -> bool:
    """Remove the loaded version of a file's rows; return whether there was one."""
    spec = SPECS[kind]
    previous = scalar(connection, "select count(*) from load_audit where source_file = ?"
                      " and superseded_at is null", [name])
    if previous == 0:
        return False
    for table in (raw_table(kind), spec.table, "quarantine"):
        connection.execute(f"delete from {table} where source_file = ?", [name])
    connection.execute("update load_audit set superseded_at = ? where source_file = ?"
                       " and superseded_at is null", [loaded_at, name])
    return True


def _load_rows(connection: duckdb.DuckDBPyConnection, raw: RawExtract, table: str,
               suite: pl.DataFrame, repeats: pl.DataFrame,
               loaded_at: dt.datetime) -> tuple[int, int, int]:
    """Write raw, staged, quarantine and audit rows; return rows read, loaded, quarantined."""
    kind, spec = raw.file.kind, SPECS[raw.file.kind]
    register_incoming(connection, conform(raw))  # _load_staged unregisters it, after a rollback
    connection.execute(f"insert into {raw_table(kind)} by name select * from incoming")
    unregister_incoming(connection)
    connection.execute("set variable staged_file = ?", [raw.file.name])
    connection.execute(f"create temp view staged as select * from {table}"
                       " where source_file = getvariable('staged_file')")  # a view: no copy
    problems = _problems(connection, raw, suite, repeats)
    connection.register("row_problems", problems)
    connection.execute(
        f"insert into {spec.table} select * exclude (problems) from staged"
        f" where {ROW_NUMBER} not in (select {ROW_NUMBER} from row_problems)")
    quarantined = _quarantine(connection, raw, problems)
    connection.unregister("row_problems")
    loaded = raw.rows.height - problems.height
    connection.execute(
        "insert into load_audit by name select ? as source_file, ? as sha256,"
        " ? as extract_kind, ? as rows_read, ? as rows_loaded, ? as rows_quarantined,"
        " ? as loaded_at, ? as notes, ? as loaded_by, ? as note, ? as staged_with",
        [raw.file.name, raw.sha256, kind.value, raw.rows_read, loaded, quarantined, loaded_at,
         "; ".join(raw.notes) or None, current_user(), file_note(raw), staging_sha256()])
    return raw.rows_read, loaded, quarantined


def file_note(raw: RawExtract) -> str | None:
    """Return what load_audit.note says of the file as a whole: NO_ROWS for a header only."""
    return NO_ROWS if raw.rows_read == 0 else None


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
    connection.execute("create or replace temp view incoming_spellings as select distinct"
                       f" jurisdiction, {column} as spelling from incoming")  # each spelling once
    connection.execute("insert or replace into classification_spellings "
                       + sql_text("reference/classification_spellings.sql"))
    connection.execute("drop view incoming_spellings")


def _problems(connection: duckdb.DuckDBPyConnection, raw: RawExtract, suite: pl.DataFrame,
              repeats: pl.DataFrame) -> pl.DataFrame:
    """Return one row per problem row: row_number and every reason, "; "-separated."""
    kind = raw.file.kind
    parsing = connection.sql(
        f"select {ROW_NUMBER}, regexp_extract(problem, '^(\\w+):', 1) as column, problem as reason"
        " from (select row_number, unnest(problems) as problem from staged)").pl()
    suite = suite.join(parsing.select(ROW_NUMBER, "column"), on=[ROW_NUMBER, "column"],
                       how="anti")  # a value that could not be read is reported once
    every = pl.concat([parsing, repeats, suite, _duplicates_of_loaded(connection, kind)])
    return every.group_by(ROW_NUMBER).agg(
        pl.col("reason").unique(maintain_order=True).str.join("; ")).sort(ROW_NUMBER)


def exact_repeats(staged: pl.DataFrame) -> pl.DataFrame:
    """Return the rows that repeat an earlier row of the file value for value (the first stays).

    A row repeated whole (an export that wrote it twice) is loaded once; rows that share a key
    but differ are left to the suite's uniqueness rule, which quarantines every copy.
    """
    content = [column for column in staged.columns if column not in (ROW_NUMBER, "source_file")]
    first = pl.col(ROW_NUMBER).min().over(["source_file", *content]).alias("first_row")
    return _maybe_repeated(staged, content).with_columns(first).filter(
        pl.col(ROW_NUMBER) != pl.col("first_row")).select(
        pl.col("source_file"),
        pl.col(ROW_NUMBER),
        pl.lit("position_id").alias("column"),
        pl.format("repeats row {} value for value: loaded once, from that row",
                  pl.col("first_row")).alias("reason"))


def _maybe_repeated(staged: pl.DataFrame, content: list[str]) -> pl.DataFrame:
    """Return the rows that may repeat another row of their file: the others cannot.

    A first, cheap pass: rows whose values (floats aside) hash alike within a file. Grouping a
    million rows by every column at once costs about 700 MB; hashing them, a few.
    """
    exact = [column for column in content if not staged.schema[column].is_float()]
    if not exact:
        return staged
    hashes = staged.select(exact).hash_rows()
    return staged.filter(pl.len().over("source_file", hashes) > 1)


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
