"""Run: the pipeline's stages in the order the data walks them.

read -> validate -> load, file by file (each file one transaction), then the stages that work on
the whole warehouse, in POST_LOAD_STAGES order. Adding a stage is one edit of that tuple.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import duckdb
import polars as pl

from pipeline import catalog, check, marts, notices, schema, score, warehouse
from pipeline.errors import MemoryLimitError
from pipeline.load import FileLoad, StagedBatch, already_loaded, finish_batch, stage_batch, timed
from pipeline.memory import peak_memory_mb
from pipeline.notices import Unrecognised
from pipeline.read import (
    ExtractFile,
    RawExtract,
    ReadOptions,
    discover,
    extract_sha256,
    read_extract,
)
from pipeline.restage import restage
from pipeline.settings import configuration_sha256, sql_text
from pipeline.validate import Validator, great_expectations_peak_mb

Stage = Callable[[duckdb.DuckDBPyConnection], None]
BATCH_ROWS = 250_000  # files of one kind are validated together up to about this many rows
LOOKAHEAD_ROWS = 500_000  # rows staged ahead at most while Great Expectations starts
INPUTS_TABLE = "audit/published_inputs.sql"

# Whole-warehouse stages after loading, in order; publishing is the working copy's rename.
POST_LOAD_STAGES: tuple[tuple[str, Stage], ...] = (
    ("score", score.score_positions),
    ("check", check.run_checks),
    ("marts", marts.build_marts),
)


@dataclass(frozen=True)
class Ahead:
    """A batch staged ahead of its validation: its files' places in the run, its staged rows,
    and when it was staged (the time its files are recorded as loaded at)."""

    indexes: list[int]
    staged: StagedBatch
    loaded_at: dt.datetime


def _finish(connection: duckdb.DuckDBPyConnection, ahead: deque[Ahead], validator: Validator,
            reporter: Reporter | None, *, everything: bool) -> dict[int, FileLoad]:
    """Return the outcomes, by file index, of validating and loading the batches staged ahead,
    oldest first: while Great Expectations is still starting, only as many as keep fewer than
    LOOKAHEAD_ROWS rows waiting, unless `everything`."""
    outcomes: dict[int, FileLoad] = {}
    while ahead and (everything or validator.is_ready()
                     or sum(batch.staged.rows for batch in ahead) >= LOOKAHEAD_ROWS):
        batch = ahead.popleft()
        with memory_named("load"):
            finished = finish_batch(connection, batch.staged, validator, batch.loaded_at,
                                    reporter.phase_finished if reporter else None)
        for outcome in finished:
            if reporter:
                reporter.file_finished(outcome)
        outcomes.update(zip(batch.indexes, finished, strict=True))
    return outcomes


def _stage_ahead(connection: duckdb.DuckDBPyConnection, batch: list[tuple[int, RawExtract]],
                 seen: dict[str, str], reporter: Reporter | None) -> Ahead:
    """Return a batch of (index, extract) of one kind, staged into a temp table of its own."""
    first = batch[0][0]
    with memory_named("load"):
        staged = stage_batch(connection, [raw for _, raw in batch], table=f"staged_batch_{first}",
                             seen=seen, on_phase=reporter.phase_finished if reporter else None)
    return Ahead([index for index, _ in batch], staged,
                 dt.datetime.now(dt.UTC).replace(tzinfo=None))


@contextmanager
def memory_named(stage: str) -> Iterator[None]:
    """Turn DuckDB running out of memory in `stage` into a MemoryLimitError that names the stage
    and the setting that raises the limit."""
    try:
        yield
    except duckdb.OutOfMemoryException as error:
        raise MemoryLimitError(
            f"the {stage} stage ran out of memory: DuckDB may use {warehouse.memory_limit()}"
            f" here; raise it with {warehouse.MEMORY_LIMIT_ENV}=8GB (for example) and run"
            f" again ({str(error).splitlines()[0]})") from error


class Reporter(Protocol):
    """Receives progress: the CLI draws bars with it, tests record it."""

    def file_started(self, file: ExtractFile, index: int, total: int) -> None:
        """Note that a file is about to be read."""

    def file_finished(self, outcome: FileLoad) -> None:
        """Note a file's load outcome."""

    def stage_finished(self, name: str, seconds: float) -> None:
        """Note that a whole-warehouse stage finished."""

    def phase_finished(self, name: str, seconds: float) -> None:
        """Note the seconds of one step of reading and loading (PHASES), for --timings."""


PHASES = (  # the steps phase_finished names, in the order a run takes them
    "open",  # find the files, copy the warehouse to work on, create tables, refresh ref_*
    "read",  # read_extract: hash, parse, name the columns (per file)
    "stage",  # conform and run the staging model (per batch of files of one kind)
    "validate",  # Great Expectations suite and exact repeats (per batch)
    "load",  # write raw, staged, quarantine and audit rows (per file, one transaction)
    "commit",  # checkpoint the working copy and rename it over the warehouse
)


@dataclass
class PhaseTimes:
    """A Reporter that adds up the seconds of each phase and stage, passing progress on."""

    inner: Reporter | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def _add(self, name: str, seconds: float) -> None:
        """Add seconds to a phase's or stage's total."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def file_started(self, file: ExtractFile, index: int, total: int) -> None:
        """Pass the file's start on."""
        if self.inner:
            self.inner.file_started(file, index, total)

    def file_finished(self, outcome: FileLoad) -> None:
        """Pass the file's outcome on."""
        if self.inner:
            self.inner.file_finished(outcome)

    def stage_finished(self, name: str, seconds: float) -> None:
        """Add a whole-warehouse stage's seconds, and pass it on."""
        self._add(name, seconds)
        if self.inner:
            self.inner.stage_finished(name, seconds)

    def phase_finished(self, name: str, seconds: float) -> None:
        """Add a phase's seconds, and pass it on."""
        self._add(name, seconds)
        if self.inner:
            self.inner.phase_finished(name, seconds)

    def report(self, summary: RunSummary) -> dict[str, Any]:
        """Return the run's timings as `workvalue run --timings` writes them (JSON-ready)."""
        order = [*PHASES, *(name for name, _ in POST_LOAD_STAGES)]
        checking = great_expectations_peak_mb()
        return {
            "seconds": round(summary.seconds, 3),
            "peak_mb": round(peak_memory_mb() + checking, 1),  # both processes' peaks
            "great_expectations_peak_mb": checking,
            "phases": {name: round(self.seconds.get(name, 0.0), 3) for name in order},
            "files": len(summary.files),
            "files_unchanged": sum(1 for f in summary.files if f.status == "unchanged"),
            "rows_read": summary.rows_read,
            "rows_loaded": summary.rows_loaded,
            "rows_quarantined": summary.rows_quarantined,
        }


@dataclass(frozen=True)
class RunSummary:
    """What a run did: every file's outcome, the time it took, and what the warehouse holds.

    `unrecognised` and `findings` are read from the warehouse the run leaves (notices); findings
    are None when the run built no flags table.
    """

    files: tuple[FileLoad, ...]
    seconds: float
    unrecognised: tuple[Unrecognised, ...] = ()
    findings: dict[str, int] | None = None

    @property
    def rows_read(self) -> int:
        """Return the rows read across files loaded in this run."""
        return sum(f.rows_read for f in self.files if f.status != "unchanged")

    @property
    def rows_loaded(self) -> int:
        """Return the rows loaded in this run."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        """Return the rows quarantined in this run."""
        return sum(f.rows_quarantined for f in self.files)


def run_pipeline(input_dir: Path, warehouse_path: Path, reporter: Reporter | None = None,
                 today: dt.date | None = None,
                 read_options: ReadOptions | None = None) -> RunSummary:
    """Return the summary of loading every extract under input_dir and running every stage.

    When every extract is loaded already and the marts were built by the same code, SQL and data
    (up_to_date), nothing is recomputed or published: a rerun costs little more than hashing.
    """
    started = time.perf_counter()
    warehouse_path = warehouse.real_path(warehouse_path)  # once: a link's file is locked, published
    files = discover(input_dir, allow_outside=bool(
        read_options and read_options.allow_outside_input))
    configuration = configuration_sha256(*(name for name, _ in POST_LOAD_STAGES),
                                         f"duckdb {duckdb.__version__}", f"polars {pl.__version__}")
    with warehouse.locked(warehouse_path):
        unchanged = up_to_date(warehouse_path, files, configuration, reporter)
        if unchanged is not None:
            connection = warehouse.connect(warehouse_path, read_only=True)
            try:
                return _summary(connection, unchanged, started)
            finally:
                connection.close()
        opening = time.perf_counter()
        with warehouse.working_copy(warehouse_path) as connection:
            outcomes = _load_and_build(connection, files, today, read_options, reporter,
                                       opening)
            connection.execute(sql_text(INPUTS_TABLE), [configuration])
            summary = _summary(connection, outcomes, started)
            committing = time.perf_counter()
    if reporter:
        reporter.phase_finished("commit", time.perf_counter() - committing)
    return replace(summary, seconds=time.perf_counter() - started)


def _summary(connection: duckdb.DuckDBPyConnection, outcomes: list[FileLoad],
             started: float) -> RunSummary:
    """Return the run's summary: the outcomes, the seconds so far, the warehouse's notices."""
    has_flags = "flags" in warehouse.table_names(connection)
    return RunSummary(tuple(outcomes), time.perf_counter() - started,
                      notices.unrecognised(connection),
                      notices.findings_by_severity(connection) if has_flags else None)


def up_to_date(warehouse_path: Path, files: list[ExtractFile], configuration: str,
               reporter: Reporter | None = None) -> list[FileLoad] | None:
    """Return every file's unchanged outcome if the published warehouse needs no run, else None.

    It needs none when each file's content (sha256) is loaded already and its marts were built
    with this configuration (settings.configuration_sha256). Only hashes are read, not rows.
    """
    if not warehouse_path.exists():
        return None
    connection = warehouse.connect(warehouse_path, read_only=True)
    try:
        if not _built_with(connection, configuration):
            return None
        outcomes = []
        for file in files:
            with timed(reporter.phase_finished if reporter else None, "read"):
                outcome = already_loaded(connection, file, extract_sha256(file))
            if outcome is None:
                return None
            outcomes.append(outcome)
    finally:
        connection.close()
    if reporter:
        for index, outcome in enumerate(outcomes):
            reporter.file_started(files[index], index + 1, len(files))
            reporter.file_finished(outcome)
    return outcomes


def _built_with(connection: duckdb.DuckDBPyConnection, configuration: str) -> bool:
    """Return whether the published marts were built with this configuration, by this publish.

    (or by one that carried them forward; see warehouse._carry_published_inputs)
    """
    if not warehouse.has_column(connection, warehouse.INPUTS_TABLE_NAME, "version_id"):
        return False
    return bool(warehouse.scalar(
        connection, f"select configuration_sha256 = ? and version_id = (select version_id from"
        f" {warehouse.VERSION_TABLE_NAME}) from {warehouse.INPUTS_TABLE_NAME}", [configuration]))


def _load_and_build(connection: duckdb.DuckDBPyConnection, files: list[ExtractFile],
                    today: dt.date | None, read_options: ReadOptions | None,
                    reporter: Reporter | None, opening: float) -> list[FileLoad]:
    """Return the outcomes of loading the files in batches, then run every post-load stage.

    Files staged under another configuration are restaged from the raw layer first; a file
    whose content is loaded already is only hashed, not read. `opening` is when the run started
    opening the warehouse (the end of the "open" phase is reported from it).
    """
    validator = Validator(today=today or dt.date.today())
    if files:
        validator.warm_up()  # Great Expectations imports in its own process meanwhile
        threading.Thread(target=catalog.models, name="read the SQL catalog",
                         daemon=True).start()  # parsed while files are read, for the stages
    on_phase = reporter.phase_finished if reporter else None
    with memory_named("open"):
        schema.prepare(connection)
    if reporter:
        reporter.phase_finished("open", time.perf_counter() - opening)
    with memory_named("restage"):
        restaged = {outcome.source_file: outcome for outcome in restage(
            connection, validator, dt.datetime.now(dt.UTC).replace(tzinfo=None), on_phase)}
    outcomes = _load_files(connection, files, read_options, validator, reporter, restaged)
    for name, stage in POST_LOAD_STAGES:
        stage_started = time.perf_counter()
        with memory_named(name):
            stage(connection)
        if reporter:
            reporter.stage_finished(name, time.perf_counter() - stage_started)
    return outcomes


def _load_files(connection: duckdb.DuckDBPyConnection, files: list[ExtractFile],
                read_options: ReadOptions | None, validator: Validator,
                reporter: Reporter | None, restaged: dict[str, FileLoad]) -> list[FileLoad]:
    """Return every file's outcome in file order, then those of restaged files not among them.

    Files of one kind are loaded in batches of about BATCH_ROWS rows. While Great Expectations'
    process is still starting, batches are read and staged ahead (up to LOOKAHEAD_ROWS rows),
    then validated and loaded in order: the order of loading, and so every outcome, is the same.
    """
    on_phase = reporter.phase_finished if reporter else None
    outcomes: dict[int, FileLoad] = {}
    batch: list[tuple[int, RawExtract]] = []
    ahead: deque[Ahead] = deque()
    seen: dict[str, str] = {}  # sha256 -> name of each file staged in this run
    for index, file in enumerate(files):
        if batch and (file.kind != batch[0][1].file.kind
                      or sum(raw.rows_read for _, raw in batch) >= BATCH_ROWS):
            ahead.append(_stage_ahead(connection, batch, seen, reporter))
            outcomes.update(_finish(connection, ahead, validator, reporter, everything=False))
            batch = []
        if reporter:
            reporter.file_started(file, index + 1, len(files))
        with timed(on_phase, "read"):
            done = already_loaded(connection, file, extract_sha256(file))
            if done is None:
                batch.append((index, read_extract(file, read_options)))
        if done is not None:
            outcomes[index] = restaged.pop(file.name, done)
            if reporter:
                reporter.file_finished(outcomes[index])
    if batch:
        ahead.append(_stage_ahead(connection, batch, seen, reporter))
    outcomes.update(_finish(connection, ahead, validator, reporter, everything=True))
    names = {file.name for file in files}
    gone = [outcome for name, outcome in restaged.items() if name not in names]
    for outcome in gone:  # loaded before from files no longer in the input
        if reporter:
            reporter.file_finished(outcome)
    return [outcomes[index] for index in sorted(outcomes)] + gone
