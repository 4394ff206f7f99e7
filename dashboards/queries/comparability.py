"""Cross-agency comparability page queries: points per band, ratios, spans, the crosswalk."""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters
from dashboards.queries.base import Cells, Connection, Parameters, frame, small_cells, where
from dashboards.queries.outliers import flag_list
from dashboards.queries.registry import Given, PageQueries, PageQuery
from dashboards.scope import PEER_MIN_AGENCIES, PEER_MIN_POSITIONS
from pipeline.settings import DATA_DIR, data_file

SPAN_CATEGORIES = {  # agency_structure column -> direct reports (data/structure.toml bounds)
    "managers_span_1": "1", "managers_span_2_3": "2-3", "managers_span_4_7": "4-7",
    "managers_span_8_12": "8-12", "managers_span_13_16": "13-16", "managers_span_17_plus": "17+",
}
POINT_STATISTICS = ("min_points", "q1_points", "median_points", "q3_points", "max_points")
SMALL_AGENCIES_GROUP = "Smaller agencies (combined)"  # a band's agencies of fewer than 5


@small_cells(Cells(("count_positions",), POINT_STATISTICS))
def points_distribution(connection: Connection, filters: Filters, group_by: str = "agency",
                        chosen: str | None = None) -> pl.DataFrame:
    """Return the five-number summary of factor points per band and agency (or jurisdiction).

    One row per (group, tier): count_positions and min, q1, median, q3, max of total_points
    over the scored executive positions. ``group_by`` is "agency" (groups "JUR CODE") or
    "jurisdiction". By agency, the agencies with fewer than PEER_MIN_POSITIONS positions in a
    band are combined into one group, SMALL_AGENCIES_GROUP, kept only where at least
    PEER_MIN_POSITIONS positions of at least PEER_MIN_AGENCIES agencies stand behind it, and
    without its lowest and highest value (each is one position's); ``chosen`` (an agency's
    "JUR CODE") is never combined, and is_chosen marks its rows.
    """
    group = {"agency": "jurisdiction || ' ' || agency_code",
             "jurisdiction": "jurisdiction"}[group_by]
    condition, parameters = where(filters)
    parameters |= {"combine": group_by == "agency", "chosen": chosen, "pool": SMALL_AGENCIES_GROUP,
                   "min_positions": PEER_MIN_POSITIONS, "min_agencies": PEER_MIN_AGENCIES}
    return frame(connection, f"""
        with scored as (
            select {group} as "group", jurisdiction || ' ' || agency_code as agency, tier,
                total_points,
                (select max(rank) from ref_crosswalk
                 where ref_crosswalk.tier = position_scores.tier) as grade_rank
            from position_scores
            where total_points is not null and {condition}
        ),
        sized as (
            select *, count(*) over (partition by "group", tier) as group_positions
            from scored
        ),
        pooled as (
            select case when $combine and group_positions < $min_positions
                             and "group" is distinct from $chosen then $pool
                        else "group" end as "group",
                agency, tier, total_points, grade_rank
            from sized
        ),
        summary as (
            select "group", tier, "group" = $pool as is_pool, count(*) as count_positions,
                count(distinct agency) as count_agencies,
                min(total_points)::double as min_points,
                quantile_cont(total_points, 0.25) as q1_points,
                median(total_points)::double as median_points,
                quantile_cont(total_points, 0.75) as q3_points,
                max(total_points)::double as max_points,
                max(grade_rank) as grade_rank
            from pooled
            group by "group", tier
        )
        select "group", tier, count_positions,
            case when not is_pool then min_points end as min_points,
            q1_points, median_points, q3_points,
            case when not is_pool then max_points end as max_points,
            coalesce("group" = $chosen, false) as is_chosen
        from summary
        where not is_pool or (count_positions >= $min_positions
                              and count_agencies >= $min_agencies)
        order by grade_rank desc, is_pool, "group" """, parameters)


def peer_points_distribution(connection: Connection, filters: Filters,
                             group: str) -> pl.DataFrame:
    """Return every other agency's points per band, combined and anonymised (scoped dashboard).

    Reads scope_peer_points, which only a connection scoped to one agency has
    (dashboards/scope.py): shaped as points_distribution, one row per tier of the snapshot
    under the label ``group``; min_points and max_points are null (each would be one position's
    value). The snapshot, band and stream filters apply; the jurisdiction filter does not (the
    other agencies of every jurisdiction are combined).
    """
    parameters: Parameters = {"group": group, "snapshot": filters.snapshot_date,
                              "tier": filters.tier, "stream": filters.stream_code}
    return frame(connection, """
        select $group as "group", tier, count_positions,
            null::double as min_points, q1_points, median_points, q3_points,
            null::double as max_points
        from scope_peer_points
        where snapshot_date = $snapshot::date
            and ($tier is null or tier = $tier)
            and stream_code is not distinct from $stream
        order by (select max(rank) from ref_crosswalk
                  where ref_crosswalk.tier = scope_peer_points.tier) desc""", parameters)


def band_ranges(connection: Connection) -> pl.DataFrame:
    """Return the total-points range of each tier, and whether a framework publishes it."""
    return frame(connection, "select tier, min_points, max_points, is_published"
                             " from int_points_bands order by min_points, tier")


def ratio_min_fte() -> float:
    """Return the FTE below which an agency has no executives-per-1,000-FTE ratio.

    ratio_min_fte of data/structure.toml: the one setting the dashboard and the report read.
    """
    return float(data_file("structure.toml")["ratio_min_fte"])


@small_cells(Cells(("count_executives",), ("executives_per_1000_fte",)),
             Cells(("count_vacant_executives",)))
def agency_structure(connection: Connection, filters: Filters,
                     min_fte: float | None = None) -> pl.DataFrame:
    """Return the agency_structure mart's rows of the selection: one row per agency.

    Executives per 1,000 FTE, layers and span-of-control counts as the publish stage built
    them (sql/marts/agency_structure.sql). The stream and band filters do not apply. An
    agency under ``min_fte`` FTE (None: ratio_min_fte(), the setting; a page passes it, so
    that its cached result follows the setting) has no ratio: is_below_min_fte says it was
    left out for its size.
    """
    condition, parameters = where(filters, skip=("stream_code", "tier"))
    parameters["min_fte"] = ratio_min_fte() if min_fte is None else min_fte
    return frame(connection, f"""
        select jurisdiction, agency_code, count_positions, total_fte, count_executives,
            count_vacant_executives, count_layers, count_executive_layers,
            case when total_fte >= $min_fte then executives_per_1000_fte end
                as executives_per_1000_fte,
            count_managers, median_span,
            coalesce(total_fte < $min_fte, false) as is_below_min_fte
        from agency_structure
        where {condition}
        order by jurisdiction, agency_code""", parameters)


@small_cells(Cells(("count_managers",)))
def span_of_control(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return per agency and span category: managers with that many direct reports.

    From the agency_structure mart (every position with direct reports, assistants left out);
    one row per (jurisdiction, agency, category), categories in SPAN_CATEGORIES order.
    """
    condition, parameters = where(filters, skip=("stream_code", "tier"))
    columns = ", ".join(f'{column} as "{label}"' for column, label in SPAN_CATEGORIES.items())
    parameters["categories"] = list(SPAN_CATEGORIES.values())
    return frame(connection, f"""
        with spans as (
            unpivot (select jurisdiction, agency_code, {columns} from agency_structure
                     where {condition})
            on columns(* exclude (jurisdiction, agency_code))
            into name span_category value count_managers
        )
        select jurisdiction, agency_code, span_category, count_managers
        from spans
        order by jurisdiction, agency_code, list_position($categories, span_category)""",
        parameters)


def crosswalk_assumption() -> str:
    """Return the header comment of data/crosswalk.toml: the crosswalk's stated assumption."""
    lines = []
    for line in (DATA_DIR / "crosswalk.toml").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.removeprefix("#").removeprefix(" "))
    return "\n".join(lines).strip()


PAGE = PageQueries("comparability", "comparability", (
    PageQuery("points_distribution (agency)", points_distribution, ("filters", Given("agency"))),
    PageQuery("band_ranges", band_ranges),
    PageQuery("flag_list (agency_band_drift)", flag_list,
              ("filters", Given(()), Given(("agency_band_drift",)))),
    PageQuery("agency_structure", agency_structure, ("filters",)),
    PageQuery("span_of_control", span_of_control, ("filters",)),
    PageQuery("points_distribution (jurisdiction)", points_distribution,
              ("filters", Given("jurisdiction")))))
