"""Evaluate: how well the flags find a labelled set of planted inconsistencies.

The sample generator writes expected_flags.csv (one row per planted finding). A flag matches a
label on rule, snapshot date, jurisdiction, agency and position (agency-level findings have no
position, jurisdiction-level ones neither agency nor position). Per rule: recall = labels
found / labels; precision = flags matching a label / flags.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from pipeline.errors import InputError

MATCH_ON = ("rule_id", "snapshot_date", "jurisdiction", "agency_code", "position_id")


def read_labels(path: Path) -> pl.DataFrame:
    """Return the labels file's match columns (all text)."""
    if not path.is_file():
        raise InputError("labels file not found", source_file=str(path))
    labels = pl.read_csv(path, infer_schema=False)
    missing = [column for column in MATCH_ON if column not in labels.columns]
    if missing:
        raise InputError("required column is missing", source_file=str(path), column=missing[0])
    return labels.select(MATCH_ON).with_columns(pl.col("position_id").fill_null(""),
                                                pl.col("agency_code").fill_null(""))


@contextmanager
def _labelled(connection: duckdb.DuckDBPyConnection, labels: pl.DataFrame) -> Iterator[None]:
    """Expose the labels as `labels` and the flags as `flag_matches`, both keyed by MATCH_ON."""
    connection.register("labels", labels)
    connection.execute("""
        create or replace temp view flag_matches as
        select distinct rule_id, snapshot_date::varchar as snapshot_date, jurisdiction,
               coalesce(agency_code, '') as agency_code, coalesce(position_id, '') as position_id
        from flags""")
    try:
        yield
    finally:
        connection.execute("drop view flag_matches")
        connection.unregister("labels")


def evaluate(connection: duckdb.DuckDBPyConnection, labels: pl.DataFrame) -> pl.DataFrame:
    """Return recall and precision per rule of the warehouse's flags against the labels."""
    with _labelled(connection, labels):
        return connection.sql("""
            with flags as (select * from flag_matches),
            labels as (select distinct * from labels),
            rules as (select rule_id from flags union select rule_id from labels),
            found as (select rule_id, count(*) as labels_found from labels
                      semi join flags using (rule_id, snapshot_date, jurisdiction, agency_code,
                                             position_id) group by rule_id),
            true_flags as (select rule_id, count(*) as flags_matching from flags
                           semi join labels using (rule_id, snapshot_date, jurisdiction,
                                                   agency_code, position_id) group by rule_id),
            counted as (
                select rules.rule_id,
                       (select count(*) from labels where labels.rule_id = rules.rule_id) as labels,
                       (select count(*) from flags where flags.rule_id = rules.rule_id) as flags,
                       coalesce(found.labels_found, 0) as labels_found,
                       coalesce(true_flags.flags_matching, 0) as flags_matching
                from rules
                left join found using (rule_id)
                left join true_flags using (rule_id)
            )
            select rule_id, labels, flags, labels_found, flags_matching,
                   round(labels_found / nullif(labels, 0), 3) as recall,
                   round(flags_matching / nullif(flags, 0), 3) as precision
            from counted
            order by rule_id
        """).pl()


def misses(connection: duckdb.DuckDBPyConnection, labels: pl.DataFrame) -> pl.DataFrame:
    """Return the labels no flag found, and the flags no label expects."""
    with _labelled(connection, labels):
        return connection.sql("""
            select 'missed label' as kind, *
            from (select * from labels except select * from flag_matches)
            union all
            select 'unlabelled flag', *
            from (select * from flag_matches except select * from labels)
            order by kind, rule_id, agency_code, position_id
        """).pl()
