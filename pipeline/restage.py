"""Restage: load again, from the raw layer, the files staged under another configuration.

What staging and validation make of a row depends on configuration: the classification
spellings, the crosswalk, the stream aliases, the jurisdictions and the suites' parameters
(settings.STAGING_FINGERPRINTED). load_audit.staged_with records the fingerprint each file was
staged with; when it is not today's, the file's rows are taken back from raw_<kind> (every row
read, as text) and its unsplittable lines from the quarantine, and staged, validated and loaded
again, as one new load of the same content. The source file is not read: it may have moved or
gone. Reviews (flag_reviews) are not touched: they are keyed by flag_key, which a restage keeps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from pipeline.contract import ROW_NUMBER, SPECS, ExtractKind
from pipeline.load import FileLoad, LoadStatus, PhaseHook, load_batch, supersede
from pipeline.read import ExtractFile, RawExtract
from pipeline.schema import raw_table
from pipeline.settings import staging_sha256
from pipeline.validate import Validator

RESTAGED = "staged again from the raw layer: the configuration changed"
BATCH_ROWS = 250_000  # files of one kind are restaged together up to about this many rows


@dataclasses.dataclass(frozen=True)
class StaleLoad:
    """A file's load in force that was staged with another configuration."""

    source_file: str
    kind: ExtractKind
    sha256: str
    notes: tuple[str, ...]
    rows_read: int


def stale_loads(connection: duckdb.DuckDBPyConnection) -> list[StaleLoad]:
    """Return the loads in force staged with another configuration, in the order they loaded."""
    rows = connection.execute(
        "select source_file, extract_kind, sha256, notes, rows_read from load_audit"
        " where superseded_at is null and staged_with is distinct from ?"
        " order by loaded_at, source_file", [staging_sha256()]).fetchall()
    return [StaleLoad(name, ExtractKind(kind), sha256,
                      tuple(part for part in (notes or "").split("; ")
                            if part and part != RESTAGED), rows_read)
            for name, kind, sha256, notes, rows_read in rows]


def restage(connection: duckdb.DuckDBPyConnection, validator: Validator,
            loaded_at: dt.datetime, on_phase: PhaseHook | None = None,
            on_file: Callable[[FileLoad], None] | None = None) -> list[FileLoad]:
    """Return the outcomes of loading every stale file again from the raw layer, kind by kind.

    Every stale file of a kind is taken out before any is loaded back, in the order they were
    first loaded, so that a key two files share stays with the file that had it first. A load
    whose rows the raw layer does not hold in full (rows read) is left as it is: it cannot be
    staged again without its file.
    """
    outcomes: list[FileLoad] = []
    stale = stale_loads(connection)
    for kind in ExtractKind:
        raws = [raw for raw, load in ((raw_extract(connection, load), load) for load in stale
                                      if load.kind == kind) if raw.rows_read == load.rows_read]
        for raw in raws:
            supersede(connection, raw.file.name, kind, loaded_at)
        for batch in _batches(raws):
            for outcome in load_batch(connection, batch, validator, loaded_at, on_phase):
                restaged = dataclasses.replace(outcome, status=LoadStatus.RESTAGED)
                outcomes.append(restaged)
                if on_file:
                    on_file(restaged)
    return outcomes


def _batches(raws: list[RawExtract]) -> list[list[RawExtract]]:
    """Return the extracts in batches of about BATCH_ROWS rows, in order."""
    batches: list[list[RawExtract]] = []
    for raw in raws:
        if not batches or sum(each.rows_read for each in batches[-1]) >= BATCH_ROWS:
            batches.append([])
        batches[-1].append(raw)
    return batches


def raw_extract(connection: duckdb.DuckDBPyConnection, load: StaleLoad) -> RawExtract:
    """Return a loaded file as it was read, from raw_<kind> and the quarantine's rejected lines.

    Extra columns come back under their own names, from the raw layer's JSON.
    """
    spec = SPECS[load.kind]
    columns = ", ".join(f'"{column}"' for column in spec.columns)
    rows = connection.sql(
        f"select {ROW_NUMBER}, {columns}, extra_columns::varchar as extra_columns"
        f" from {raw_table(load.kind)} where source_file = $file order by {ROW_NUMBER}",
        params={"file": load.source_file}).pl()
    rejected = connection.sql(
        f"select {ROW_NUMBER}, reason, raw_record ->> 'line' as raw_line from quarantine"
        f" where source_file = $file and {ROW_NUMBER} not in (select {ROW_NUMBER} from"
        f" {raw_table(load.kind)} where source_file = $file) order by {ROW_NUMBER}",
        params={"file": load.source_file}).pl()
    file = ExtractFile(path=Path(load.source_file), name=load.source_file, kind=load.kind)
    return RawExtract(file, load.sha256, _with_extras(rows), rejected.cast(
        {ROW_NUMBER: pl.Int64}), (*load.notes, RESTAGED))


def _with_extras(rows: pl.DataFrame) -> pl.DataFrame:
    """Return the rows with their extra columns' JSON unpacked into text columns."""
    extras = rows["extra_columns"].drop_nulls()
    rows = rows.with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
    if extras.is_empty():
        return rows.drop("extra_columns")
    unpacked = rows["extra_columns"].str.json_decode(infer_schema_length=None).struct.unnest()
    return pl.concat([rows.drop("extra_columns"), unpacked.cast(pl.String)], how="horizontal")
