"""Outliers page queries: the flag list with its review status, counts, rules; the drill-down."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from dashboards.filters import Filters
from dashboards.queries import position
from dashboards.queries.base import (
    Connection,
    Parameters,
    available_tables,
    frame,
    has_column,
    where,
)
from dashboards.queries.registry import Given, PageQueries, PageQuery
from pipeline.publish import rule_name_join
from pipeline.severity import SEVERITIES

REVIEW_STATUSES = ("open", "justified", "act")


def _flags_sql(connection: Connection, tables: frozenset[str]) -> tuple[str, str]:
    """Return two selects: flags with their key, tier and stream, and each flag's latest review.

    Until the checks stage gives flags a flag_key, a key is derived from the finding's where
    and what; until the exceptions register exists, every flag is unreviewed.
    """
    key = ("flags.flag_key" if has_column(connection, "flags", "flag_key") else
           "md5(concat_ws('|', flags.snapshot_date, flags.jurisdiction, flags.agency_code,"
           " flags.position_id, flags.rule_id, flags.classification))")
    if "flag_reviews" in tables:
        reviews = ("select flag_key, arg_max(decision, reviewed_at) as decision,"
                   " arg_max(note, reviewed_at) as review_note, max(reviewed_at) as reviewed_at"
                   " from flag_reviews group by flag_key")
    else:
        reviews = ("select null::varchar as flag_key, null::varchar as decision,"
                   " null::varchar as review_note, null::timestamp as reviewed_at where false")
    return f"""
        select
            flags.*, {key} as key,
            coalesce(positions.tier, crosswalk.tier) as tier,
            positions.stream_code,
            positions.position_title
        from flags
        left join positions
            on positions.snapshot_date = flags.snapshot_date
            and positions.jurisdiction = flags.jurisdiction
            and positions.agency_code = flags.agency_code
            and positions.position_id = flags.position_id
        left join ref_crosswalk as crosswalk
            on crosswalk.classification_code = flags.classification
    """, reviews


def _reviewed_flags(connection: Connection, filters: Filters) -> tuple[str, Parameters]:
    """Return a select of the selection's flags with their review status, and its parameters."""
    flags_sql, reviews_sql = _flags_sql(connection, available_tables(connection))
    condition, parameters = where(filters, "flagged")
    rule_name, rule_names = rule_name_join(connection, "flagged")
    magnitude = ("flagged.magnitude::double" if has_column(connection, "flags", "magnitude")
                 else "null::double")
    return f"""
        with flagged as ({flags_sql}),
        reviews as ({reviews_sql})
        select
            flagged.key as flag_key,
            strftime(flagged.snapshot_date, '%Y-%m-%d') as snapshot_date,
            flagged.severity, flagged.rule_id, {rule_name} as rule_name,
            flagged.jurisdiction, flagged.agency_code,
            flagged.position_id, flagged.position_title, flagged.classification,
            flagged.tier, flagged.stream_code, flagged.message, {magnitude} as magnitude,
            coalesce(reviews.decision, 'open') as status,
            reviews.review_note, reviews.reviewed_at,
            flagged.evidence::varchar as evidence
        from flagged
        left join reviews on reviews.flag_key = flagged.key
        {rule_names}
        where {condition}""", parameters


def flag_list(connection: Connection, filters: Filters, severities: tuple[str, ...] = (),
              rule_ids: tuple[str, ...] = (), statuses: tuple[str, ...] = ()) -> pl.DataFrame:
    """Return one row per flag in the selection, worst first, with its review status.

    Worst first: by severity, then by magnitude (how far the finding is past its threshold,
    the checks stage's flags.magnitude; largest first, none last). rule_name is the rule's
    readable name, the title of its SQL header.

    ``severities``, ``rule_ids`` and ``statuses`` (open, justified, act) narrow the list;
    empty means all. status is "open" until a review says justified or act.
    """
    reviewed, parameters = _reviewed_flags(connection, filters)
    parameters |= {"severities": list(severities), "rule_ids": list(rule_ids),
                   "statuses": list(statuses), "severity_order": list(SEVERITIES)}
    return frame(connection, f"""
        select * from ({reviewed})
        where (len($severities) = 0 or list_contains($severities, severity))
            and (len($rule_ids) = 0 or list_contains($rule_ids, rule_id))
            and (len($statuses) = 0 or list_contains($statuses, status))
        order by coalesce(list_position($severity_order, severity), 99),
            magnitude desc nulls last, rule_id,
            jurisdiction, agency_code, position_id nulls first""", parameters)


def flag_counts(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return one row per severity (high, medium, low): flags open, justified and to act on."""
    reviewed, parameters = _reviewed_flags(connection, filters)
    parameters["severity_order"] = list(SEVERITIES)
    counts = ", ".join(f"count(flags.status) filter (where flags.status = '{status}')"
                       f" as {status}" for status in REVIEW_STATUSES)
    return frame(connection, f"""
        select severities.severity, {counts}
        from unnest($severity_order) as severities(severity)
        left join ({reviewed}) as flags using (severity)
        group by severities.severity
        order by list_position($severity_order, severities.severity)""", parameters)


def flag_rule_names(connection: Connection, filters: Filters) -> dict[str, str]:
    """Return the rules present among the selection's flags, id to readable name, by id.

    The name is the title of the rule's SQL header (ref_rules; pipeline.publish.rule_name_join).
    """
    reviewed, parameters = _reviewed_flags(connection, filters)
    rows = connection.execute(f"select rule_id, any_value(rule_name) from ({reviewed})"
                              " group by rule_id order by rule_id", parameters).fetchall()
    return dict(rows)


def position_search(connection: Connection, filters: Filters, text: str,
                    limit: int = 50) -> pl.DataFrame:
    """Return the selection's positions whose id or title holds the text, flagged ones first.

    Case-insensitive; the snapshot, jurisdiction and agency filters apply (not the stream and
    band ones). One row per position with its number of flags and its worst flag's key
    (count_flags 0 and top_flag null when it has none).
    """
    broad = replace(filters, stream_code=None, tier=None)
    condition, parameters = where(broad, "positions")
    if "flags" in available_tables(connection):
        reviewed, flag_parameters = _reviewed_flags(connection, broad)
        parameters |= flag_parameters
    else:
        reviewed = ("select null::varchar as flag_key, null::varchar as jurisdiction, null::varchar"
                    " as agency_code, null::varchar as position_id, null::varchar as severity,"
                    " null::double as magnitude where false")
    parameters |= {"text": text.strip().lower(), "limit": limit,
                   "severity_order": list(SEVERITIES)}
    return frame(connection, f"""
        with per_position as (
            select jurisdiction, agency_code, position_id, count(*) as count_flags,
                first(flag_key order by list_position($severity_order, severity),
                      magnitude desc nulls last) as top_flag
            from ({reviewed}) where position_id is not null
            group by all
        )
        select strftime(positions.snapshot_date, '%Y-%m-%d') as snapshot_date,
            positions.jurisdiction, positions.agency_code, positions.position_id,
            positions.position_title, positions.classification_code, positions.tier,
            coalesce(per_position.count_flags, 0) as count_flags, per_position.top_flag
        from positions
        left join per_position using (jurisdiction, agency_code, position_id)
        where {condition} and $text <> ''
            and (contains(lower(positions.position_id), $text)
                 or contains(lower(coalesce(positions.position_title, '')), $text))
        order by count_flags desc, positions.grade_rank desc nulls last, positions.position_id
        limit $limit""", parameters)


PAGE = PageQueries("outliers", "outliers", (
    PageQuery("flag_rule_names", flag_rule_names, ("filters",)),
    PageQuery("flag_list", flag_list, ("filters", Given(()), Given(()), Given(())))))
SEARCH = PageQueries("outliers", "outliers: a position searched", (
    PageQuery("position_search", position_search, ("filters", "search")),))
DRILL_DOWN = PageQueries("outliers", "outliers: one flag's drill-down", (
    PageQuery("position_detail", position.position_detail, ("flag",)),
    PageQuery("position_score", position.position_score, ("flag",)),
    PageQuery("factor_profile", position.factor_profile, ("flag",)),
    PageQuery("reporting_chain", position.reporting_chain, ("flag",)),
    PageQuery("determination_history", position.determination_history, ("flag_position",)),
    PageQuery("factor_evidence", position.factor_evidence, ("flag",))))
