"""Review: the exceptions register, where analysts record a decision on each flag.

Decisions go to `flag_reviews` (append-only, so it is its own audit trail) keyed by the flag's
stable `flag_key`; the `open_flags` view hides every reviewed flag. A review names a flag by its
key or a unique prefix of it (at least 8 characters), as git names commits.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import duckdb
import polars as pl

from pipeline.errors import ReviewError
from pipeline.warehouse import writing

MIN_KEY_PREFIX = 8


class Decision(StrEnum):
    """What an analyst decided about a flag."""

    JUSTIFIED = "justified"  # the classification is right as it is: accepted, with the reason
    ACT = "act"  # the classification needs fixing


def resolve_flag_key(connection: duckdb.DuckDBPyConnection, prefix: str) -> tuple[str, str,
                                                                                 str, str | None]:
    """Return (flag_key, rule_id, agency_code, position_id) of the one flag a prefix names."""
    if len(prefix) < MIN_KEY_PREFIX:
        raise ReviewError(f"a flag key needs at least {MIN_KEY_PREFIX} characters: '{prefix}'")
    rows = connection.execute(
        "select distinct flag_key, rule_id, agency_code, position_id from flags"
        " where starts_with(flag_key, ?)", [prefix.lower()]).fetchall()
    if not rows:
        raise ReviewError(f"no flag has a key starting '{prefix}'")
    if len({row[0] for row in rows}) > 1:
        raise ReviewError(f"'{prefix}' names {len(rows)} flags: give more of the key")
    return rows[0]


def record_review(connection: duckdb.DuckDBPyConnection, flag_key: str, decision: Decision,
                  note: str, reviewer: str, reviewed_at: dt.datetime | None = None) -> str:
    """Record a decision on a flag; return the flag's full key."""
    if not note.strip():
        raise ReviewError("a review needs a note saying why")
    if not reviewer.strip():
        raise ReviewError("a review needs the reviewer's name")
    key, rule_id, agency_code, position_id = resolve_flag_key(connection, flag_key)
    when = reviewed_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    connection.execute("insert into flag_reviews values (?, ?, ?, ?, ?, ?, ?, ?)",
                       [key, decision.value, note.strip(), reviewer.strip(), when, rule_id,
                        agency_code, position_id])
    return key


def record_review_at(warehouse_path: Path, flag_key: str, decision: Decision, note: str,
                     reviewer: str) -> str:
    """Record a decision in a warehouse file, under the run lock; return the flag's full key.

    Goes through warehouse.writing (lock, copy, atomic swap) so a review can never be lost to,
    or interleave with, a run that is writing the same warehouse.
    """
    with writing(warehouse_path) as connection:
        return record_review(connection, flag_key, decision, note, reviewer)


def open_flags(connection: duckdb.DuckDBPyConnection, limit: int = 50) -> pl.DataFrame:
    """Return the open flags, most severe first (the largest magnitude first within a severity).

    At most `limit` of them; severity ranks come from ref_severities (pipeline.severity).
    """
    return connection.sql(
        "select flag_key, severity, rule_id, agency_code, position_id, message from open_flags"
        " left join ref_severities using (severity)"
        " order by severity_rank, rule_id, magnitude desc nulls last, agency_code, position_id"
        " limit ?", params=[limit]).pl()
