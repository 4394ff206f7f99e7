"""Overview page queries: the selection's counts, what changed, data quality at a glance."""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters
from dashboards.queries.base import Connection, frame, previous_snapshot, where
from dashboards.queries.outliers import flag_counts
from dashboards.queries.registry import PageQueries, PageQuery


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


# The columns of changes_since_previous, in order.
CHANGE_COLUMNS = ("change", "jurisdiction", "agency_code", "position_id", "position_title",
                  "before", "after")
# Executive positions paired across two snapshots, one row per kind of change; the two
# conditions are the page filters on either snapshot.
CHANGES_SQL = """
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
        order by change, jurisdiction, agency_code, position_id"""


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
        return pl.DataFrame(schema=dict.fromkeys(CHANGE_COLUMNS, pl.String))
    now_condition, parameters = where(filters, "now", skip=("snapshot_date",))
    before_condition, _ = where(filters, "before", skip=("snapshot_date",))
    parameters |= {"now_date": filters.snapshot_date, "before_date": previous}
    return frame(connection, CHANGES_SQL.format(now_condition=now_condition,
                                                 before_condition=before_condition),
                 parameters)


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


PAGE = PageQueries("overview", "overview", (
    PageQuery("headline_counts", headline_counts, ("filters",)),
    PageQuery("previous_snapshot", previous_snapshot, ("snapshot",)),
    PageQuery("headline_counts (previous)", headline_counts, ("previous",)),
    PageQuery("flag_counts", flag_counts, ("filters",)),
    PageQuery("changes_since_previous", changes_since_previous, ("filters",)),
    PageQuery("change_summary", change_summary, ("filters",)),
    PageQuery("data_quality_glance", data_quality_glance)))
