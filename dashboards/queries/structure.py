"""SES structure page queries: the band pyramid, the reporting tree, vacancies, the trend."""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters
from dashboards.queries.base import (
    Cells,
    Connection,
    available_tables,
    frame,
    small_cells,
    where,
)
from dashboards.queries.comparability import agency_structure
from dashboards.queries.outliers import flag_list
from dashboards.queries.registry import Given, PageQueries, PageQuery

EXECUTIVE_TIERS = ("HEAD", "SES4", "SES3", "SES2", "SES1")
STRUCTURE_RULES = ("span_of_one", "stretched_report")  # low notes of the SES structure (#15)
POSITIONS_COUNTED = ("(count(*) filter (where aggregate_fte is null)"
                     " + round(coalesce(sum(aggregate_fte), 0)))::bigint")  # issue 12


@small_cells(Cells(("count_positions",)), compares_agencies=False)
def band_pyramid(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return positions per tier (executive tiers and the grade below) by occupancy.

    One row per (tier, occupancy), senior tiers first. The band filter is not applied. A row
    that is a junior aggregate (one row for many posts: aggregate_fte) counts as its FTE,
    rounded, not as one position.
    """
    condition, parameters = where(filters, skip=("tier",))
    return frame(connection, f"""
        select tier, coalesce(occupancy, 'not stated') as occupancy, max(grade_rank) as rank,
            {POSITIONS_COUNTED} as count_positions
        from positions
        where (is_executive or tier = 'SUBSES') and {condition}
        group by all
        order by rank desc, occupancy""", parameters)


def executive_tree(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return the executive positions of the selection with the executive each reports to.

    manager_position_id is null where the position reports to no executive in the selection;
    count_flags is the position's flags in the snapshot, less its structure notes
    (STRUCTURE_RULES: the page lists those beside the tree).
    """
    condition, parameters = where(filters, "executives", skip=("tier", "stream_code"))
    parameters["notes"] = list(STRUCTURE_RULES)
    flags = ("select snapshot_date, jurisdiction, agency_code, position_id, count(*) as count_flags"
             " from flags where position_id is not null"
             " and not list_contains($notes, rule_id) group by all"
             if "flags" in available_tables(connection) else
             "select null::date as snapshot_date, null::varchar as jurisdiction, null::varchar as"
             " agency_code, null::varchar as position_id, 0 as count_flags where false")
    return frame(connection, f"""
        with executives as (
            select * from positions as executives where is_executive and {condition}
        ),
        flagged as ({flags})
        select executives.agency_code, executives.position_id, executives.position_title,
            executives.classification_code, executives.tier, executives.occupancy,
            managers.position_id as manager_position_id,
            coalesce(flagged.count_flags, 0) as count_flags
        from executives
        left join flagged
            on flagged.snapshot_date = executives.snapshot_date
            and flagged.jurisdiction = executives.jurisdiction
            and flagged.agency_code = executives.agency_code
            and flagged.position_id = executives.position_id
        left join executives as managers
            on managers.snapshot_date = executives.snapshot_date
            and managers.jurisdiction = executives.jurisdiction
            and managers.agency_code = executives.agency_code
            and managers.position_id = executives.reports_to_position_id
        order by executives.agency_code, executives.grade_rank desc, executives.position_id""",
        parameters)


@small_cells(Cells(("count_positions",)))
def agency_trend(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return executives per snapshot and agency (every snapshot: the snapshot filter is ignored).

    One row per (snapshot, jurisdiction, agency); agencies are compared, so counts under 5
    are suppressed.
    """
    condition, parameters = where(filters, skip=("snapshot_date",))
    return frame(connection, f"""
        select snapshot_date, jurisdiction, agency_code,
            any_value(agency_name order by snapshot_date desc) as agency_name,
            count(*) as count_positions
        from positions
        where is_executive and {condition}
        group by snapshot_date, jurisdiction, agency_code
        order by snapshot_date, jurisdiction, agency_code""", parameters)


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


@small_cells(Cells(("count_positions",)), compares_agencies=False)
def tier_trend(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return executives per snapshot and tier (every snapshot: the snapshot filter is ignored)."""
    condition, parameters = where(filters, skip=("snapshot_date",))
    return frame(connection, f"""
        select snapshot_date, tier, max(grade_rank) as rank, count(*) as count_positions
        from positions
        where is_executive and {condition}
        group by all
        order by snapshot_date, rank desc""", parameters)


PAGE = PageQueries("structure", "SES structure", (
    PageQuery("band_pyramid", band_pyramid, ("filters",)),
    PageQuery("agency_structure", agency_structure, ("filters",)),
    PageQuery("flag_list (structure notes)", flag_list,
              ("filters", Given(()), Given(STRUCTURE_RULES))),
    PageQuery("executive_vacancies", executive_vacancies, ("filters",)),
    PageQuery("tier_trend", tier_trend, ("filters",)),
    PageQuery("agency_trend", agency_trend, ("filters",))))
ONE_AGENCY = PageQueries("structure", "SES structure: one agency", (
    PageQuery("band_pyramid", band_pyramid, ("agency",)),
    PageQuery("agency_structure", agency_structure, ("agency",)),
    PageQuery("executive_tree", executive_tree, ("agency",)),
    PageQuery("flag_list (structure notes)", flag_list,
              ("agency", Given(()), Given(STRUCTURE_RULES))),
    PageQuery("executive_vacancies", executive_vacancies, ("agency",)),
    PageQuery("tier_trend", tier_trend, ("agency",)),
    PageQuery("agency_trend", agency_trend, ("agency",))))
