"""Peers: what an agency's report shows of the other agencies, always combined and never named.

Each function reads the whole warehouse (an unscoped connection) and returns one aggregate over
other agencies, kept only where at least PEER_MIN_POSITIONS positions of at least
PEER_MIN_AGENCIES agencies stand behind it (the thresholds of the scoped dashboard,
dashboards/scope.py): no other agency's name, code or single value leaves here. The lowest and
highest points are never returned (each is one position's).
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboards.scope import PEER_MIN_AGENCIES, PEER_MIN_POSITIONS

Connection = duckdb.DuckDBPyConnection


def _peer_parameters(snapshot: str, jurisdiction: str, agency: str) -> dict[str, object]:
    """Return the named parameters every peer query takes."""
    return {"snapshot": snapshot, "jurisdiction": jurisdiction, "agency": agency,
            "min_positions": PEER_MIN_POSITIONS, "min_agencies": PEER_MIN_AGENCIES}


def jurisdiction_points(connection: Connection, snapshot: str, jurisdiction: str, agency: str,
                        label: str) -> pl.DataFrame:
    """Return the quartiles of factor points per band of the jurisdiction's other agencies.

    Shaped as dashboards' points_distribution (group, tier, count_positions, min..max points),
    one row per tier under ``label``; min_points and max_points are null.
    """
    parameters = _peer_parameters(snapshot, jurisdiction, agency) | {"label": label}
    return connection.sql("""
        select $label as "group", tier, count(*) as count_positions,
            null::double as min_points, quantile_cont(total_points, 0.25) as q1_points,
            median(total_points)::double as median_points,
            quantile_cont(total_points, 0.75) as q3_points, null::double as max_points
        from position_scores
        where snapshot_date = $snapshot::date and total_points is not null
            and jurisdiction = $jurisdiction and agency_code <> $agency
        group by tier
        having count(*) >= $min_positions and count(distinct agency_code) >= $min_agencies
        order by max((select max(rank) from ref_crosswalk
                      where ref_crosswalk.tier = position_scores.tier)) desc""",
        params=parameters).pl()


def size_peer_ratio(connection: Connection, snapshot: str, jurisdiction: str, agency: str,
                    bounds: tuple[float, float | None], min_fte: float) -> dict[str, object]:
    """Return the executives per 1,000 FTE of other agencies of a size: agencies, median, IQR.

    ``bounds`` is the size group's FTE range (upper None: open); agencies under ``min_fte`` or
    with fewer than PEER_MIN_POSITIONS executives have no ratio and are left out. Every value is
    None when fewer than PEER_MIN_AGENCIES agencies remain.
    """
    lower, upper = bounds
    parameters = {"snapshot": snapshot, "jurisdiction": jurisdiction, "agency": agency,
                  "lower": lower, "upper": upper, "min_fte": min_fte,
                  "min_positions": PEER_MIN_POSITIONS}
    row = connection.execute("""
        select count(*), median(executives_per_1000_fte),
            quantile_cont(executives_per_1000_fte, 0.25),
            quantile_cont(executives_per_1000_fte, 0.75)
        from agency_structure
        where snapshot_date = $snapshot::date
            and not (jurisdiction = $jurisdiction and agency_code = $agency)
            and total_fte >= greatest($lower, $min_fte)
            and ($upper is null or total_fte < $upper)
            and count_executives >= $min_positions""", parameters).fetchall()[0]
    agencies = int(row[0] or 0)
    if agencies < PEER_MIN_AGENCIES:
        return {"agencies": agencies, "median": None, "q1": None, "q3": None}
    return {"agencies": agencies, "median": row[1], "q1": row[2], "q3": row[3]}


def span_shares(connection: Connection, snapshot: str, jurisdiction: str, agency: str,
                columns: dict[str, str]) -> pl.DataFrame:
    """Return every other agency's managers per span category, combined: count and share.

    ``columns`` maps agency_structure columns to category labels (in order). A category held by
    1 to PEER_MIN_POSITIONS - 1 managers comes back null, and so does every one when fewer than
    PEER_MIN_AGENCIES agencies stand behind them.
    """
    sums = ", ".join(f'sum({column})::bigint as "{label}"' for column, label in columns.items())
    totals = connection.execute(f"""
        select count(*), {sums} from agency_structure
        where snapshot_date = $snapshot::date
            and not (jurisdiction = $jurisdiction and agency_code = $agency)""",
        {"snapshot": snapshot, "jurisdiction": jurisdiction, "agency": agency}).fetchall()[0]
    counts = [int(value or 0) for value in totals[1:]]
    total = sum(counts)
    enough = int(totals[0] or 0) >= PEER_MIN_AGENCIES and total > 0
    shown = [count if enough and (count == 0 or count >= PEER_MIN_POSITIONS) else None
             for count in counts]
    return pl.DataFrame({
        "span_category": list(columns.values()),
        "peer_managers": shown,
        "peer_share": [None if count is None else count / total for count in shown],
    }, schema={"span_category": pl.String, "peer_managers": pl.Int64, "peer_share": pl.Float64})


def maturity_levels(connection: Connection, year: str, jurisdiction: str,
                    agency: str) -> pl.DataFrame:
    """Return per element the mean maturity level of the jurisdiction's other agencies.

    One row per element assessed by at least PEER_MIN_AGENCIES other agencies in the year.
    """
    return connection.sql("""
        select element, avg(maturity_level) as peer_level,
            count(distinct agency_code) as peer_agencies
        from maturity_assessments
        where year = $year and jurisdiction = $jurisdiction and agency_code <> $agency
        group by element
        having count(distinct agency_code) >= $min_agencies""",
        params={"year": year, "jurisdiction": jurisdiction, "agency": agency,
                "min_agencies": PEER_MIN_AGENCIES}).pl()


def rating_shares(connection: Connection, cycle: str, jurisdiction: str,
                  agency: str) -> pl.DataFrame:
    """Return per overall rating the share of the jurisdiction's other agencies' SES rated.

    Null shares when fewer than PEER_MIN_AGENCIES agencies or PEER_MIN_POSITIONS ratings stand
    behind the whole, and for a rating given fewer than PEER_MIN_POSITIONS times.
    """
    return connection.sql("""
        with rated as (
            select overall_rating as rating, agency_code from performance_ratings
            where cycle = $cycle and jurisdiction = $jurisdiction and agency_code <> $agency
        ),
        enough as (
            select count(*) >= $min_positions and count(distinct agency_code) >= $min_agencies
                as ok, count(*) as total
            from rated
        )
        select rating,
            case when any_value(enough.ok) and count(*) >= $min_positions
                 then count(*) / any_value(enough.total) end as peer_share
        from rated, enough
        group by rating""",
        params={"cycle": cycle, "jurisdiction": jurisdiction, "agency": agency,
                "min_positions": PEER_MIN_POSITIONS, "min_agencies": PEER_MIN_AGENCIES}).pl()
