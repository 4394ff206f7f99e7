"""Queries: every question the dashboard asks the warehouse, one function each.

Each function takes an open DuckDB connection first (read-only is enough) and returns a small,
already aggregated polars frame or plain values: the pages never see a whole table. Every value
that comes from a user (a filter, a position id, a page's own selection) reaches SQL as a named
parameter; the only text put into SQL is column names from the fixed tables below.

Grain and meaning of each result are in its docstring. Counts that compare agencies are
suppressed under five by the pages (pipeline.privacy.suppress_small_counts), not here, so that
the tests can see the raw numbers.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import duckdb
import polars as pl

from dashboards.filters import UNKNOWN_STREAM, Agency, FilterOptions, Filters
from pipeline import frameworks
from pipeline.contract import FACTOR_COLUMNS
from pipeline.settings import DATA_DIR

Connection = duckdb.DuckDBPyConnection
Parameters = dict[str, Any]

SEVERITIES = ("high", "medium", "low")
REVIEW_STATUSES = ("open", "justified", "act")
EXECUTIVE_TIERS = ("HEAD", "SES4", "SES3", "SES2", "SES1")
SPAN_CATEGORIES = {  # agency_structure column -> direct reports (data/structure.toml bounds)
    "managers_span_1": "1", "managers_span_2_3": "2-3", "managers_span_4_7": "4-7",
    "managers_span_8_12": "8-12", "managers_span_13_16": "13-16", "managers_span_17_plus": "17+",
}
RATING_DIMENSIONS = ("outcomes_rating", "behaviours_rating", "overall_rating")
FILTER_CASTS = {"snapshot_date": "::date"}
CHAIN_DEPTH_LIMIT = 30  # stops a reporting loop (reporting_cycle findings) from running forever


# ---- helpers -----------------------------------------------------------------------------

def where(filters: Filters, alias: str | None = None, *,
          skip: tuple[str, ...] = ()) -> tuple[str, Parameters]:
    """Return a SQL condition for the filters that are set, and its named parameters.

    ``alias`` qualifies the columns; ``skip`` names Filters fields this query does not apply.
    """
    conditions, parameters = ["true"], {}
    for field in fields(filters):
        value = getattr(filters, field.name)
        if value is None or field.name in skip:
            continue
        column = f"{alias}.{field.name}" if alias else field.name
        if field.name == "stream_code" and value == UNKNOWN_STREAM:
            conditions.append(f"{column} is null")
            continue
        conditions.append(f"{column} = ${field.name}{FILTER_CASTS.get(field.name, '')}")
        parameters[field.name] = value
    return " and ".join(conditions), parameters


def frame(connection: Connection, sql: str, parameters: Parameters | None = None) -> pl.DataFrame:
    """Return a query's rows as a polars frame."""
    return connection.sql(sql, params=parameters or {}).pl()


def _position_key(snapshot_date: str, jurisdiction: str, agency_code: str,
                  position_id: str) -> Parameters:
    """Return the parameters $snapshot, $jurisdiction, $agency and $position of one position."""
    return {"snapshot": snapshot_date, "jurisdiction": jurisdiction, "agency": agency_code,
            "position": position_id}


def _first_row(result: pl.DataFrame) -> dict[str, Any]:
    """Return a result's first row by column name, or {} when it has none."""
    return result.row(0, named=True) if result.height else {}


def available_tables(connection: Connection) -> frozenset[str]:
    """Return the names of the warehouse's tables and views."""
    rows = connection.execute("select table_name from information_schema.tables"
                              " where table_schema = 'main'").fetchall()
    return frozenset(row[0] for row in rows)


def has_column(connection: Connection, table: str, column: str) -> bool:
    """Return whether a warehouse table has a column."""
    rows = connection.execute(
        "select 1 from information_schema.columns where table_schema = 'main'"
        " and table_name = ? and column_name = ?", [table, column]).fetchall()
    return bool(rows)


def filter_options(connection: Connection) -> FilterOptions:
    """Return every value the filters can take: snapshots newest first, tiers senior first."""
    snapshots = connection.execute(
        "select distinct strftime(snapshot_date, '%Y-%m-%d') from positions"
        " where snapshot_date is not null order by 1 desc").fetchall()
    agencies = connection.execute(
        "select jurisdiction, agency_code, any_value(agency_name order by snapshot_date desc)"
        " from positions group by all order by jurisdiction, agency_code").fetchall()
    streams = connection.execute(
        "select distinct coalesce(stream_code, ?) from positions where is_executive"
        " order by 1", [UNKNOWN_STREAM]).fetchall()
    tiers = connection.execute(
        "select tier from positions where is_executive and tier is not null"
        " group by tier order by max(grade_rank) desc").fetchall()
    return FilterOptions(
        snapshots=tuple(row[0] for row in snapshots),
        jurisdictions=tuple(dict.fromkeys(row[0] for row in agencies)),
        agencies=tuple(Agency(*row) for row in agencies),
        streams=tuple(row[0] for row in streams),
        tiers=tuple(row[0] for row in tiers),
    )


def previous_snapshot(connection: Connection, snapshot_date: str | None) -> str | None:
    """Return the snapshot just before the given one (ISO date), or None if it is the first."""
    if snapshot_date is None:
        return None
    rows = connection.execute(
        "select strftime(max(snapshot_date), '%Y-%m-%d') from positions"
        " where snapshot_date < $snapshot::date", {"snapshot": snapshot_date}).fetchall()
    return rows[0][0] if rows else None


# ---- overview ----------------------------------------------------------------------------

def headline_counts(connection: Connection, filters: Filters) -> dict[str, int]:
    """Return the selection's counts: positions, executives, agencies, vacancies, unmapped."""
    condition, parameters = where(filters)
    row = connection.execute(f"""
        select
            count(*) as positions,
            count(*) filter (where is_executive) as executives,
            count(distinct jurisdiction || '/' || agency_code) as agencies,
            count(*) filter (where is_executive and occupancy = 'vacant') as executive_vacancies,
            count(*) filter (where is_executive and occupancy = 'acting') as executive_acting,
            count(*) filter (where classification_code is null) as unmapped_classifications
        from positions
        where {condition}""", parameters).fetchall()[0]
    names = ("positions", "executives", "agencies", "executive_vacancies", "executive_acting",
             "unmapped_classifications")
    return dict(zip(names, (int(value or 0) for value in row or ()), strict=True))


def change_summary(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return one row per kind of change since the previous snapshot, with its count."""
    changes = changes_since_previous(connection, filters)
    return (changes.group_by("change").agg(pl.len().alias("count_positions"))
            .sort(["count_positions", "change"], descending=[True, False]))


def changes_since_previous(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return one row per executive position that changed since the previous snapshot.

    Changes: added, removed, reclassified (another classification code), became vacant,
    filled, stream changed. A position matches the stream and band filters if it matched
    them in either snapshot.
    """
    previous = previous_snapshot(connection, filters.snapshot_date)
    if previous is None:
        return pl.DataFrame(schema={"change": pl.String, "jurisdiction": pl.String,
                                    "agency_code": pl.String, "position_id": pl.String,
                                    "position_title": pl.String, "before": pl.String,
                                    "after": pl.String})
    now_condition, parameters = where(filters, "now", skip=("snapshot_date",))
    before_condition, _ = where(filters, "before", skip=("snapshot_date",))
    parameters |= {"now_date": filters.snapshot_date, "before_date": previous}
    return frame(connection, f"""
        with now as (
            select * from positions where snapshot_date = $now_date::date and is_executive
        ),
        before as (
            select * from positions where snapshot_date = $before_date::date and is_executive
        ),
        paired as (
            select
                coalesce(now.jurisdiction, before.jurisdiction) as jurisdiction,
                coalesce(now.agency_code, before.agency_code) as agency_code,
                coalesce(now.position_id, before.position_id) as position_id,
                coalesce(now.position_title, before.position_title) as position_title,
                now.position_id is not null as in_now,
                before.position_id is not null as in_before,
                before.classification_code as code_before, now.classification_code as code_now,
                before.occupancy as occupancy_before, now.occupancy as occupancy_now,
                before.stream_code as stream_before, now.stream_code as stream_now
            from now
            full join before
                on now.jurisdiction = before.jurisdiction
                and now.agency_code = before.agency_code
                and now.position_id = before.position_id
            where ({now_condition}) or ({before_condition})
        ),
        changes as (
            select 'added' as change, *, null as before, code_now as after
            from paired where in_now and not in_before
            union all
            select 'removed', *, code_before, null from paired where in_before and not in_now
            union all
            select 'reclassified', *, code_before, code_now from paired
            where in_now and in_before and code_before is distinct from code_now
            union all
            select 'became vacant', *, occupancy_before, occupancy_now from paired
            where in_now and in_before and occupancy_now = 'vacant'
                and occupancy_before is distinct from 'vacant'
            union all
            select 'filled', *, occupancy_before, occupancy_now from paired
            where in_now and in_before and occupancy_before = 'vacant'
                and occupancy_now is distinct from 'vacant'
            union all
            select 'stream changed', *, stream_before, stream_now from paired
            where in_now and in_before and stream_before is distinct from stream_now
        )
        select change, jurisdiction, agency_code, position_id, position_title, before, after
        from changes
        order by change, jurisdiction, agency_code, position_id""", parameters)


def data_quality_glance(connection: Connection) -> dict[str, int]:
    """Return warehouse-wide data quality counts: files, rows read/loaded/quarantined, gaps."""
    row = connection.execute("""
        select
            (select count(*) from load_audit where superseded_at is null),
            (select coalesce(sum(rows_read), 0) from load_audit where superseded_at is null),
            (select coalesce(sum(rows_loaded), 0) from load_audit where superseded_at is null),
            (select coalesce(sum(rows_quarantined), 0) from load_audit
             where superseded_at is null),
            (select count(*) from classification_spellings where classification_code is null),
            (select count(*) from positions where is_executive and stream_code is null)
        """).fetchall()[0]
    names = ("files", "rows_read", "rows_loaded", "rows_quarantined", "unmapped_spellings",
             "executives_without_stream")
    return dict(zip(names, (int(value or 0) for value in row or ()), strict=True))


# ---- flags and the exceptions register ---------------------------------------------------

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
    return f"""
        with flagged as ({flags_sql}),
        reviews as ({reviews_sql})
        select
            flagged.key as flag_key,
            strftime(flagged.snapshot_date, '%Y-%m-%d') as snapshot_date,
            flagged.severity, flagged.rule_id, flagged.jurisdiction, flagged.agency_code,
            flagged.position_id, flagged.position_title, flagged.classification,
            flagged.tier, flagged.stream_code, flagged.message,
            coalesce(reviews.decision, 'open') as status,
            reviews.review_note, reviews.reviewed_at,
            flagged.evidence::varchar as evidence
        from flagged
        left join reviews on reviews.flag_key = flagged.key
        where {condition}""", parameters


def flag_list(connection: Connection, filters: Filters, severities: tuple[str, ...] = (),
              rule_ids: tuple[str, ...] = (), statuses: tuple[str, ...] = ()) -> pl.DataFrame:
    """Return one row per flag in the selection, most severe first, with its review status.

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
        order by coalesce(list_position($severity_order, severity), 99), rule_id,
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


def flag_rule_ids(connection: Connection, filters: Filters) -> tuple[str, ...]:
    """Return the rule ids present among the selection's flags, sorted."""
    reviewed, parameters = _reviewed_flags(connection, filters)
    rows = connection.execute(f"select distinct rule_id from ({reviewed}) order by rule_id",
                              parameters).fetchall()
    return tuple(row[0] for row in rows)


# ---- one position ------------------------------------------------------------------------

def position_detail(connection: Connection, snapshot_date: str, jurisdiction: str,
                    agency_code: str, position_id: str) -> dict[str, Any]:
    """Return the position's own values in a snapshot, and its direct reports (empty if none)."""
    result = frame(connection, """
        select
            position_id, position_title, classification, classification_code, tier,
            stream_code, occupancy, fte, staff_managed, budget_managed, locations,
            planning_horizon_years, reports_to_position_id,
            (select count(*) from positions as reports
             where reports.snapshot_date = positions.snapshot_date
                and reports.jurisdiction = positions.jurisdiction
                and reports.agency_code = positions.agency_code
                and reports.reports_to_position_id = positions.position_id) as direct_reports
        from positions
        where snapshot_date = $snapshot::date and jurisdiction = $jurisdiction
            and agency_code = $agency and position_id = $position""",
        _position_key(snapshot_date, jurisdiction, agency_code, position_id))
    return _first_row(result)


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
    result = frame(connection, """
        select total_points, tier, held_min_points, held_max_points, indicated_tier,
            points_from_boundary, is_borderline, determination_id, decision_date, drivers
        from position_scores
        where snapshot_date = $snapshot::date and jurisdiction = $jurisdiction
            and agency_code = $agency and position_id = $position""",
        _position_key(snapshot_date, jurisdiction, agency_code, position_id))
    return _first_row(result)


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
        _position_key(snapshot_date, jurisdiction, agency_code, position_id))


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
    return frame(connection, """
        select factor, score, evidence_value, expected_score, expected_low, expected_high,
            bin_positions, evidence_detail::varchar as evidence_detail
        from factor_evidence
        where snapshot_date = $snapshot::date and jurisdiction = $jurisdiction
            and agency_code = $agency and position_id = $position
        order by factor""",
        _position_key(snapshot_date, jurisdiction, agency_code, position_id))


# ---- band distribution by stream ---------------------------------------------------------

def band_mix(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return executive counts and shares per stream and band, plus the whole selection.

    One row per (stream, tier); stream "all streams" is the whole selection (the whole
    service when no jurisdiction or agency is chosen). share is the band's share of the
    stream's executives. The stream and band filters are not applied: this compares them.
    """
    condition, parameters = where(filters, skip=("stream_code", "tier"))
    parameters["unknown"] = UNKNOWN_STREAM
    return frame(connection, f"""
        with executives as (
            select coalesce(stream_code, $unknown) as stream_code, tier, grade_rank
            from positions
            where is_executive and {condition}
        ),
        counted as (
            select stream_code, tier, max(grade_rank) as grade_rank,
                count(*) as count_positions
            from executives group by all
            union all
            select 'all streams', tier, max(grade_rank), count(*) from executives group by all
        )
        select stream_code, tier, count_positions,
            count_positions / sum(count_positions) over (partition by stream_code) as share
        from counted
        order by stream_code = 'all streams' desc, stream_code, grade_rank desc""", parameters)


def band_mix_by_agency(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return executives per agency and band (stream filter applied), with the band's share.

    One row per (jurisdiction, agency, tier). Compares agencies: the page suppresses small
    counts.
    """
    condition, parameters = where(filters, skip=("tier",))
    return frame(connection, f"""
        with counted as (
            select jurisdiction, agency_code, tier, max(grade_rank) as grade_rank,
                count(*) as count_positions
            from positions
            where is_executive and {condition}
            group by all
        )
        select jurisdiction, agency_code, tier, count_positions,
            count_positions / sum(count_positions) over (partition by jurisdiction, agency_code)
                as share
        from counted
        order by jurisdiction, agency_code, grade_rank desc""", parameters)


# ---- cross-agency comparability ----------------------------------------------------------

def points_distribution(connection: Connection, filters: Filters,
                        group_by: str = "agency") -> pl.DataFrame:
    """Return the five-number summary of factor points per band and agency (or jurisdiction).

    One row per (group, tier): count_positions and min, q1, median, q3, max of total_points
    over the scored executive positions. ``group_by`` is "agency" or "jurisdiction".
    """
    group = {"agency": "jurisdiction || ' ' || agency_code",
             "jurisdiction": "jurisdiction"}[group_by]
    condition, parameters = where(filters)
    return frame(connection, f"""
        with scored as (
            select {group} as "group", tier, total_points,
                (select max(rank) from ref_crosswalk
                 where ref_crosswalk.tier = position_scores.tier) as grade_rank
            from position_scores
            where total_points is not null and {condition}
        )
        select "group", tier, count(*) as count_positions,
            min(total_points)::double as min_points,
            quantile_cont(total_points, 0.25) as q1_points,
            median(total_points)::double as median_points,
            quantile_cont(total_points, 0.75) as q3_points,
            max(total_points)::double as max_points
        from scored
        group by "group", tier
        order by max(grade_rank) desc, "group" """, parameters)


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


def agency_structure(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return the agency_structure mart's rows of the selection: one row per agency.

    Executives per 1,000 FTE, layers and span-of-control counts as the publish stage built
    them (sql/marts/agency_structure.sql). The stream and band filters do not apply.
    """
    condition, parameters = where(filters, skip=("stream_code", "tier"))
    return frame(connection, f"""
        select jurisdiction, agency_code, count_positions, total_fte, count_executives,
            count_vacant_executives, count_layers, count_executive_layers,
            executives_per_1000_fte, count_managers, median_span
        from agency_structure
        where {condition}
        order by jurisdiction, agency_code""", parameters)


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


# ---- SES structure -----------------------------------------------------------------------

def band_pyramid(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return positions per tier (executive tiers and the grade below) by occupancy.

    One row per (tier, occupancy), senior tiers first. The band filter is not applied.
    """
    condition, parameters = where(filters, skip=("tier",))
    return frame(connection, f"""
        select tier, coalesce(occupancy, 'not stated') as occupancy, max(grade_rank) as rank,
            count(*) as count_positions
        from positions
        where (is_executive or tier = 'SUBSES') and {condition}
        group by all
        order by rank desc, occupancy""", parameters)


def executive_tree(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return the executive positions of the selection with the executive each reports to.

    manager_position_id is null where the position reports to no executive in the selection.
    """
    condition, parameters = where(filters, "executives", skip=("tier", "stream_code"))
    return frame(connection, f"""
        with executives as (
            select * from positions as executives where is_executive and {condition}
        )
        select executives.agency_code, executives.position_id, executives.position_title,
            executives.classification_code, executives.tier, executives.occupancy,
            managers.position_id as manager_position_id
        from executives
        left join executives as managers
            on managers.snapshot_date = executives.snapshot_date
            and managers.jurisdiction = executives.jurisdiction
            and managers.agency_code = executives.agency_code
            and managers.position_id = executives.reports_to_position_id
        order by executives.agency_code, executives.grade_rank desc, executives.position_id""",
        parameters)


def executive_vacancies(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return the vacant and acting executive positions of the selection, senior first."""
    condition, parameters = where(filters)
    return frame(connection, f"""
        select jurisdiction, agency_code, position_id, position_title, classification_code,
            tier, occupancy
        from positions
        where is_executive and occupancy in ('vacant', 'acting') and {condition}
        order by occupancy desc, grade_rank desc, jurisdiction, agency_code, position_id""",
        parameters)


def tier_trend(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return executives per snapshot and tier (every snapshot: the snapshot filter is ignored)."""
    condition, parameters = where(filters, skip=("snapshot_date",))
    return frame(connection, f"""
        select snapshot_date, tier, max(grade_rank) as rank, count(*) as count_positions
        from positions
        where is_executive and {condition}
        group by all
        order by snapshot_date, rank desc""", parameters)


# ---- performance framework ---------------------------------------------------------------

def maturity_years(connection: Connection) -> tuple[str, ...]:
    """Return the years with maturity assessments, newest first."""
    rows = connection.execute("select distinct year from maturity_assessments"
                              " order by year desc").fetchall()
    return tuple(row[0] for row in rows)


def maturity_matrix(connection: Connection, filters: Filters, year: str) -> pl.DataFrame:
    """Return one row per agency and framework element: the maturity level assessed in a year."""
    condition, parameters = where(filters, skip=("snapshot_date", "stream_code", "tier"))
    parameters |= {"year": year, "elements": list(frameworks.maturity_elements())}
    return frame(connection, f"""
        select jurisdiction, agency_code, element, maturity_level
        from maturity_assessments
        where year = $year and {condition}
        order by jurisdiction, agency_code, list_position($elements, element)""", parameters)


def rating_cycles(connection: Connection) -> tuple[str, ...]:
    """Return the performance cycles on record, newest first."""
    rows = connection.execute("select distinct cycle from performance_ratings"
                              " order by cycle desc").fetchall()
    return tuple(row[0] for row in rows)


def rating_distribution(connection: Connection, filters: Filters, cycle: str) -> pl.DataFrame:
    """Return per rating dimension (outcomes, behaviours, overall) and rating: SES rated.

    Every rating of the scale appears (zero where none). The page suppresses counts under 5.
    """
    condition, parameters = where(filters, skip=("snapshot_date", "stream_code", "tier"))
    dimensions = ", ".join(RATING_DIMENSIONS)
    parameters |= {"cycle": cycle, "scale": list(frameworks.rating_scale()),
                   "dimensions": list(RATING_DIMENSIONS)}
    return frame(connection, f"""
        with rated as (
            unpivot (select {dimensions} from performance_ratings
                     where cycle = $cycle and {condition})
            on {dimensions} into name dimension value rating
        ),
        grid as (
            select dimension, rating
            from unnest($dimensions) as d(dimension), unnest($scale) as s(rating)
        )
        select grid.dimension, grid.rating, count(rated.rating) as count_ratings
        from grid
        left join rated using (dimension, rating)
        group by grid.dimension, grid.rating
        order by list_position($dimensions, grid.dimension),
            list_position($scale, grid.rating)""", parameters)


def overall_rating_by_agency(connection: Connection, filters: Filters,
                             cycle: str) -> pl.DataFrame:
    """Return per agency and overall rating: SES rated (only ratings given)."""
    condition, parameters = where(filters, skip=("snapshot_date", "stream_code", "tier"))
    parameters |= {"cycle": cycle, "scale": list(frameworks.rating_scale())}
    return frame(connection, f"""
        select jurisdiction, agency_code, overall_rating as rating, count(*) as count_ratings
        from performance_ratings
        where cycle = $cycle and {condition}
        group by jurisdiction, agency_code, overall_rating
        order by jurisdiction, agency_code, list_position($scale, overall_rating)""", parameters)


# ---- data quality ------------------------------------------------------------------------

def load_audit(connection: Connection) -> pl.DataFrame:
    """Return every file load, newest first, with whether its counts reconcile."""
    return frame(connection, """
        select source_file, extract_kind, rows_read, rows_loaded, rows_quarantined,
            rows_read = rows_loaded + rows_quarantined as reconciles,
            loaded_at, superseded_at, notes, left(sha256, 12) as sha256_prefix
        from load_audit
        order by loaded_at desc, source_file""")


def quarantine_reasons(connection: Connection) -> pl.DataFrame:
    """Return per extract kind, column and reason (values blanked): rows quarantined."""
    return frame(connection, """
        with reasons as (
            select quarantine.source_file, quarantine.row_number,
                -- reasons are "; "-joined and each starts "column: " (a reason's own text
                -- may hold "; ", so split only where a column name follows)
                unnest(string_split(regexp_replace(quarantine.reason, '; (\\w+): ',
                                                   chr(31) || '\\1: ', 'g'), chr(31))) as reason
            from quarantine
        ),
        kinds as (
            select distinct source_file, extract_kind from load_audit
        )
        select coalesce(kinds.extract_kind, 'unknown') as extract_kind,
            coalesce(nullif(regexp_extract(reason, '^(\\w+):', 1), ''), '(whole row)')
                as "column",
            regexp_replace(reason, '''[^'']*''', '…', 'g') as reason,
            count(distinct reasons.source_file || ':' || reasons.row_number) as count_rows
        from reasons
        left join kinds using (source_file)
        group by all
        order by count_rows desc, extract_kind, "column", reason""")


def quarantine_rows(connection: Connection, limit: int = 500) -> pl.DataFrame:
    """Return up to ``limit`` quarantined rows: file, row, reasons and the row as read.

    The raw record loses its evaluator value: no person is named on the dashboard.
    """
    return frame(connection, """
        select source_file, row_number, reason,
            json_merge_patch(raw_record, '{"evaluator": null}')::varchar as raw_record
        from quarantine
        order by source_file, row_number
        limit $limit""", {"limit": limit})


def unmapped_spellings(connection: Connection) -> pl.DataFrame:
    """Return each classification spelling no pattern maps, with the rows that use it."""
    return frame(connection, """
        with used as (
            select jurisdiction, classification as spelling, 'positions' as extract_kind,
                agency_code
            from positions where classification_code is null
            union all
            select jurisdiction, determined_classification, 'determinations', agency_code
            from determinations where determined_classification_code is null
        )
        select jurisdiction, spelling, extract_kind, count(*) as count_rows,
            count(distinct agency_code) as count_agencies
        from used
        group by all
        order by count_rows desc, jurisdiction, spelling""")


def validation_results(connection: Connection) -> pl.DataFrame:
    """Return per extract kind: files, rows read, loaded and quarantined, and the share loaded."""
    return frame(connection, """
        select extract_kind, count(*) as files, sum(rows_read)::bigint as rows_read,
            sum(rows_loaded)::bigint as rows_loaded,
            sum(rows_quarantined)::bigint as rows_quarantined,
            round(sum(rows_loaded) / nullif(sum(rows_read), 0), 4) as share_loaded,
            bool_and(rows_read = rows_loaded + rows_quarantined) as reconciles
        from load_audit
        where superseded_at is null
        group by extract_kind
        order by extract_kind""")


# ---- reference text ----------------------------------------------------------------------

def crosswalk_assumption() -> str:
    """Return the header comment of data/crosswalk.toml: the crosswalk's stated assumption."""
    lines = []
    for line in (DATA_DIR / "crosswalk.toml").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.removeprefix("#").removeprefix(" "))
    return "\n".join(lines).strip()
