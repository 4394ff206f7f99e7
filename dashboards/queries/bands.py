"""Band distribution page queries: each stream's band mix, and each agency's."""

from __future__ import annotations

import polars as pl

from dashboards.filters import UNKNOWN_STREAM, Filters
from dashboards.queries.base import Cells, Connection, frame, small_cells, where
from dashboards.queries.registry import PageQueries, PageQuery


@small_cells(Cells(("count_positions",), ("share",)), compares_agencies=False)
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


@small_cells(Cells(("count_positions",), ("share",)))
def band_mix_by_agency(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return executives per agency and band (stream filter applied), with the band's share.

    One row per (jurisdiction, agency, tier). Compares agencies: small counts suppressed.
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


PAGE = PageQueries("bands", "band distribution", (
    PageQuery("band_mix", band_mix, ("filters",)),
    PageQuery("band_mix_by_agency", band_mix_by_agency, ("filters",))))
