"""One position's queries (the Outliers drill-down): values, scores, profile, chain, history."""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboards.queries.base import Connection, Parameters, first_row, frame, position_key
from pipeline.contract import FACTOR_COLUMNS

ONE_POSITION = ("snapshot_date = $snapshot::date and jurisdiction = $jurisdiction"
                " and agency_code = $agency and position_id = $position")  # position_key's
CHAIN_DEPTH_LIMIT = 30  # stops a reporting loop (reporting_cycle findings) from running forever


def _position_row(connection: Connection, columns: str, table: str,
                  key: Parameters) -> dict[str, Any]:
    """Return one position's row of a table by column name ({} when it has none)."""
    return first_row(frame(connection, f"select {columns} from {table} where {ONE_POSITION}",
                           key))


def position_detail(connection: Connection, snapshot_date: str, jurisdiction: str,
                    agency_code: str, position_id: str) -> dict[str, Any]:
    """Return the position's own values in a snapshot, and its direct reports (empty if none)."""
    return _position_row(connection, """
            position_id, position_title, classification, classification_code, tier,
            stream_code, occupancy, fte, staff_managed, budget_managed, locations,
            planning_horizon_years, reports_to_position_id,
            (select count(*) from positions as reports
             where reports.snapshot_date = positions.snapshot_date
                and reports.jurisdiction = positions.jurisdiction
                and reports.agency_code = positions.agency_code
                and reports.reports_to_position_id = positions.position_id) as direct_reports""",
        "positions", position_key(snapshot_date, jurisdiction, agency_code, position_id))


def factor_profile(connection: Connection, snapshot_date: str, jurisdiction: str,
                   agency_code: str, position_id: str) -> pl.DataFrame:
    """Return the position's eight factor scores beside the median of its peers.

    One row per factor per series: "this position", "band peers" (the other scored positions
    of its tier in the snapshot, every jurisdiction) and "band and stream peers" (those of its
    stream too). ``peers`` is how many positions a median is taken over.
    """
    unpivot_columns = ", ".join(FACTOR_COLUMNS)
    return frame(connection, f"""
        with scores as (
            select * from position_scores
            where snapshot_date = $snapshot::date and total_points is not null
        ),
        target as (
            select * from scores
            where jurisdiction = $jurisdiction and agency_code = $agency
                and position_id = $position
        ),
        peers as (
            select scores.*, scores.stream_code is not distinct from target.stream_code
                as same_stream
            from scores, target
            where scores.tier = target.tier
                and not (scores.jurisdiction = target.jurisdiction
                         and scores.agency_code = target.agency_code
                         and scores.position_id = target.position_id)
        ),
        long as (
            unpivot (select 'this position' as series, true as same_stream, {unpivot_columns}
                     from target
                     union all by name
                     select 'band peers' as series, same_stream, {unpivot_columns} from peers)
            on {unpivot_columns} into name factor value score
        ),
        combined as (
            select series, factor, score, same_stream from long
            union all
            select 'band and stream peers', factor, score, true from long
            where series = 'band peers' and same_stream
        )
        select factor, series, median(score)::double as score, count(*) as peers
        from combined
        group by factor, series
        order by list_position($factors, factor), series""",
        {"snapshot": snapshot_date, "jurisdiction": jurisdiction, "agency": agency_code,
         "position": position_id, "factors": list(FACTOR_COLUMNS)})


def position_score(connection: Connection, snapshot_date: str, jurisdiction: str,
                   agency_code: str, position_id: str) -> dict[str, Any]:
    """Return the position's score row: points, held and indicated band, boundary distance."""
    return _position_row(connection, """
            total_points, tier, held_min_points, held_max_points, indicated_tier,
            points_from_boundary, is_borderline, determination_id, decision_date, drivers""",
        "position_scores", position_key(snapshot_date, jurisdiction, agency_code, position_id))


def reporting_chain(connection: Connection, snapshot_date: str, jurisdiction: str,
                    agency_code: str, position_id: str) -> pl.DataFrame:
    """Return the position and every position above it, top first (level 0 = the position).

    A line that leaves the extract ends the chain; a loop stops at its first repeat.
    """
    return frame(connection, f"""
        with recursive agency as (
            select * from positions
            where snapshot_date = $snapshot::date and jurisdiction = $jurisdiction
                and agency_code = $agency
        ),
        chain(level, position_id, reports_to_position_id, path) as (
            select 0, position_id, reports_to_position_id, [position_id]
            from agency where position_id = $position
            union all
            select chain.level + 1, agency.position_id, agency.reports_to_position_id,
                list_append(chain.path, agency.position_id)
            from chain
            join agency on agency.position_id = chain.reports_to_position_id
            where not list_contains(chain.path, agency.position_id)
                and chain.level < {CHAIN_DEPTH_LIMIT}
        )
        select chain.level, agency.position_id, agency.position_title,
            agency.classification_code, agency.tier, agency.occupancy
        from chain
        join agency using (position_id)
        order by chain.level desc""",
        position_key(snapshot_date, jurisdiction, agency_code, position_id))


def determination_history(connection: Connection, jurisdiction: str, agency_code: str,
                          position_id: str) -> pl.DataFrame:
    """Return the position's determinations, latest first, with points recomputed.

    The evaluator is never returned: no person is named on the dashboard.
    """
    sum_factors = " + ".join(FACTOR_COLUMNS)
    return frame(connection, f"""
        select determination_id, strftime(decision_date, '%Y-%m-%d') as decision_date,
            determined_classification,
            determined_classification_code, determined_tier, method,
            {sum_factors} as total_points, rationale
        from determinations
        where jurisdiction = $jurisdiction and agency_code = $agency
            and position_id = $position
        order by decision_date desc, determination_id desc""",
        {"jurisdiction": jurisdiction, "agency": agency_code, "position": position_id})


def factor_evidence(connection: Connection, snapshot_date: str, jurisdiction: str,
                    agency_code: str, position_id: str) -> pl.DataFrame:
    """Return the position's evidence-backed factors: score beside the calibrated expectation."""
    return frame(connection, f"""
        select factor, score, evidence_value, expected_score, expected_low, expected_high,
            bin_positions, evidence_detail::varchar as evidence_detail
        from factor_evidence
        where {ONE_POSITION}
        order by factor""",
        position_key(snapshot_date, jurisdiction, agency_code, position_id))
