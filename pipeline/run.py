"""Run: the pipeline's stages in the order the data walks them.

read -> validate -> load, file by file (each file one transaction), then the stages that work on
the whole warehouse, in POST_LOAD_STAGES order. Adding a stage is one edit of that tuple.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from pipeline import check, publish, score, warehouse
from pipeline.load import FileLoad, load_batch
from pipeline.read import ExtractFile, RawExtract, ReadOptions, discover, read_extract
from pipeline.validate import Validator

Stage = Callable[[duckdb.DuckDBPyConnection], None]
BATCH_ROWS = 1_000_000  # files of one kind are validated together up to about this many rows

# Whole-warehouse stages after loading, in order: scoring and checks slot in before publish.
POST_LOAD_STAGES: tuple[tuple[str, Stage], ...] = (
    ("score", score.score_positions),
    ("check", check.run_checks),
    ("publish", publish.build_marts),
)


def _load(connection: duckdb.DuckDBPyConnection, batch: list[RawExtract], validator: Validator,
          reporter: Reporter | None) -> list[FileLoad]:
    """Return the outcomes of loading a batch of extracts of one kind, reporting each."""
    if not batch:
        return []
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    outcomes = load_batch(connection, batch, validator, loaded_at)
    for outcome in outcomes:
        if reporter:
            reporter.file_finished(outcome)
    return outcomes


class Reporter(Protocol):
    """Receives progress: the CLI draws bars with it, tests record it."""

    def file_started(self, file: ExtractFile, index: int, total: int) -> None:
        """Note that a file is about to be read."""

    def file_finished(self, outcome: FileLoad) -> None:
        """Note a file's load outcome."""

    def stage_finished(self, name: str, seconds: float) -> None:
        """Note that a whole-warehouse stage finished."""


@dataclass(frozen=True)
class RunSummary:
    """What a run did: every file's outcome and the time it took."""

    files: tuple[FileLoad, ...]
    seconds: float

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
    """Return the summary of loading every extract under input_dir and running every stage."""
    started = time.perf_counter()
    files = discover(input_dir)
    validator = Validator(today=today or dt.date.today())
    with warehouse.writing(warehouse_path) as connection:
        warehouse.prepare(connection)
        outcomes: list[FileLoad] = []
        batch: list[RawExtract] = []
        for index, file in enumerate(files, start=1):
            if batch and (file.kind != batch[0].file.kind
                          or sum(raw.rows_read for raw in batch) >= BATCH_ROWS):
                outcomes += _load(connection, batch, validator, reporter)
                batch = []
            if reporter:
                reporter.file_started(file, index, len(files))
            batch.append(read_extract(file, read_options))
        outcomes += _load(connection, batch, validator, reporter)
        for name, stage in POST_LOAD_STAGES:
            stage_started = time.perf_counter()
            stage(connection)
            if reporter:
                reporter.stage_finished(name, time.perf_counter() - stage_started)
    return RunSummary(tuple(outcomes), time.perf_counter() - started)
