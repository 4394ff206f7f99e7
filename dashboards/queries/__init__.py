"""Queries: every question the dashboard asks the warehouse, one module per page.

Each function takes an open DuckDB connection first (read-only is enough) and returns a small,
already aggregated polars frame or plain values: the pages never see a whole table. Grain and
meaning of each result are in its docstring; shared helpers (filters as SQL, small-cell
suppression) are in base.py. Every page's module declares the queries the page asks
(registry.py); REGISTRY collects them for `workvalue bench`, and first_visit() returns what a
first visit to each page is shown.

Every public query is importable from here (``queries.flag_list``), as the pages and the
reports use them.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from dashboards.filters import Filters
from dashboards.queries import (
    bands,
    comparability,
    data_quality,
    outliers,
    overview,
    performance,
    structure,
)
from dashboards.queries.bands import band_mix, band_mix_by_agency
from dashboards.queries.base import (
    Cells,
    Connection,
    available_tables,
    filter_options,
    first_row,
    frame,
    has_column,
    position_key,
    previous_snapshot,
    small_cells,
    suppress_cells,
    where,
)
from dashboards.queries.comparability import (
    POINT_STATISTICS,
    SMALL_AGENCIES_GROUP,
    SPAN_CATEGORIES,
    agency_structure,
    band_ranges,
    crosswalk_assumption,
    peer_points_distribution,
    points_distribution,
    ratio_min_fte,
    span_of_control,
)
from dashboards.queries.data_quality import (
    load_audit,
    quarantine_reasons,
    quarantine_rows,
    unmapped_spellings,
    validation_results,
)
from dashboards.queries.outliers import (
    REVIEW_STATUSES,
    SEVERITIES,
    flag_counts,
    flag_list,
    flag_rule_names,
    position_search,
)
from dashboards.queries.overview import (
    change_summary,
    changes_since_previous,
    data_quality_glance,
    headline_counts,
)
from dashboards.queries.performance import (
    RATING_DIMENSIONS,
    maturity_matrix,
    maturity_years,
    overall_rating_by_agency,
    rating_cycles,
    rating_distribution,
)
from dashboards.queries.position import (
    CHAIN_DEPTH_LIMIT,
    determination_history,
    factor_evidence,
    factor_profile,
    position_detail,
    position_score,
    reporting_chain,
)
from dashboards.queries.registry import Given, PageQueries, PageQuery, Visit
from dashboards.queries.structure import (
    EXECUTIVE_TIERS,
    STRUCTURE_RULES,
    agency_trend,
    band_pyramid,
    executive_tree,
    executive_vacancies,
    tier_trend,
)
from pipeline.contract import FACTOR_COLUMNS

SIDEBAR = PageQueries("", "sidebar (every page)", (
    PageQuery("available_tables", available_tables),
    PageQuery("filter_options", filter_options)))
REGISTRY: tuple[PageQueries, ...] = (
    SIDEBAR, overview.PAGE, outliers.PAGE, outliers.SEARCH, outliers.DRILL_DOWN, bands.PAGE,
    comparability.PAGE,
    structure.PAGE, structure.ONE_AGENCY, performance.PAGE, data_quality.PAGE)


def first_visit(connection: Connection) -> Visit:
    """Return what a first visit to each page is shown: the newest snapshot, first choices."""
    options = filter_options(connection)
    filters = Filters(snapshot_date=options.latest_snapshot)
    previous = previous_snapshot(connection, filters.snapshot_date)
    largest = connection.execute(
        "select agency_code from positions where snapshot_date = ?::date group by agency_code"
        " order by count(*) desc, agency_code limit 1", [filters.snapshot_date]).fetchall()
    flags = flag_list(connection, filters, (), (), ()).filter(
        pl.col("position_id").is_not_null())
    flag = (tuple(flags.select("snapshot_date", "jurisdiction", "agency_code", "position_id")
                  .row(0)) if flags.height else None)
    years, cycles = maturity_years(connection), rating_cycles(connection)
    return Visit(filters, replace(filters, snapshot_date=previous) if previous else None,
                 replace(filters, agency_code=largest[0][0]) if largest else filters,
                 flag, years[0] if years else None, cycles[0] if cycles else None,
                 flag[3] if flag else None)


__all__ = [
    "CHAIN_DEPTH_LIMIT",
    "EXECUTIVE_TIERS",
    "FACTOR_COLUMNS",
    "POINT_STATISTICS",
    "RATING_DIMENSIONS",
    "REGISTRY",
    "REVIEW_STATUSES",
    "SEVERITIES",
    "SIDEBAR",
    "SMALL_AGENCIES_GROUP",
    "SPAN_CATEGORIES",
    "STRUCTURE_RULES",
    "Cells",
    "Connection",
    "Given",
    "PageQueries",
    "PageQuery",
    "Visit",
    "agency_structure",
    "agency_trend",
    "available_tables",
    "band_mix",
    "band_mix_by_agency",
    "band_pyramid",
    "band_ranges",
    "change_summary",
    "changes_since_previous",
    "crosswalk_assumption",
    "data_quality_glance",
    "determination_history",
    "executive_tree",
    "executive_vacancies",
    "factor_evidence",
    "factor_profile",
    "filter_options",
    "first_row",
    "first_visit",
    "flag_counts",
    "flag_list",
    "flag_rule_names",
    "frame",
    "has_column",
    "headline_counts",
    "load_audit",
    "maturity_matrix",
    "maturity_years",
    "overall_rating_by_agency",
    "peer_points_distribution",
    "points_distribution",
    "position_detail",
    "position_key",
    "position_score",
    "position_search",
    "previous_snapshot",
    "quarantine_reasons",
    "quarantine_rows",
    "rating_cycles",
    "rating_distribution",
    "ratio_min_fte",
    "reporting_chain",
    "small_cells",
    "span_of_control",
    "suppress_cells",
    "tier_trend",
    "unmapped_spellings",
    "validation_results",
    "where",
]
