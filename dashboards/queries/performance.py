"""Performance framework page queries: maturity by agency and element, SES ratings."""

from __future__ import annotations

import polars as pl

from dashboards.filters import Filters
from dashboards.queries.base import Cells, Connection, frame, small_cells, where
from dashboards.queries.registry import PageQueries, PageQuery
from pipeline import frameworks

RATING_DIMENSIONS = ("outcomes_rating", "behaviours_rating", "overall_rating")


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


@small_cells(Cells(("count_ratings",)))
def rating_distribution(connection: Connection, filters: Filters, cycle: str) -> pl.DataFrame:
    """Return per rating dimension (outcomes, behaviours, overall) and rating: SES rated.

    Every rating of the scale (ref_rating_scale) appears (zero where none); counts under 5
    are suppressed.
    """
    condition, parameters = where(filters, skip=("snapshot_date", "stream_code", "tier"))
    dimensions = ", ".join(RATING_DIMENSIONS)
    parameters |= {"cycle": cycle, "dimensions": list(RATING_DIMENSIONS)}
    return frame(connection, f"""
        with rated as (
            unpivot (select {dimensions} from performance_ratings
                     where cycle = $cycle and {condition})
            on {dimensions} into name dimension value rating
        ),
        grid as (
            select dimension, rating, rating_rank
            from unnest($dimensions) as d(dimension), ref_rating_scale
        )
        select grid.dimension, grid.rating, count(rated.rating) as count_ratings
        from grid
        left join rated using (dimension, rating)
        group by grid.dimension, grid.rating, grid.rating_rank
        order by list_position($dimensions, grid.dimension), grid.rating_rank""", parameters)


@small_cells(Cells(("count_ratings",)))
def overall_rating_by_agency(connection: Connection, filters: Filters,
                             cycle: str) -> pl.DataFrame:
    """Return per agency and overall rating: SES rated (only ratings given)."""
    condition, parameters = where(filters, skip=("snapshot_date", "stream_code", "tier"))
    parameters["cycle"] = cycle
    return frame(connection, f"""
        select jurisdiction, agency_code, overall_rating as rating, count(*) as count_ratings
        from performance_ratings
        left join ref_rating_scale on ref_rating_scale.rating = overall_rating
        where cycle = $cycle and {condition}
        group by jurisdiction, agency_code, overall_rating, rating_rank
        order by jurisdiction, agency_code, rating_rank""", parameters)


PAGE = PageQueries("performance", "performance", (
    PageQuery("maturity_years", maturity_years),
    PageQuery("maturity_matrix", maturity_matrix, ("filters", "year")),
    PageQuery("rating_cycles", rating_cycles),
    PageQuery("rating_distribution", rating_distribution, ("filters", "cycle")),
    PageQuery("overall_rating_by_agency", overall_rating_by_agency, ("filters", "cycle"))))
