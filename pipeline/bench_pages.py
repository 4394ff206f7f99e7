"""Bench: the dashboard's queries, each page's in the order its view asks them, cold and warm."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

DASHBOARD_TARGET_MS = 500  # a page's queries, cold


@dataclass(frozen=True)
class Picks:
    """What the timed pages are shown: the default filters and a visitor's first choices."""

    filters: Any  # dashboards.filters.Filters: the newest snapshot, nothing else chosen
    previous: Any  # the same filters on the snapshot before, or None
    agency: Any  # the default filters with the agency of the most positions chosen
    flag: tuple[str, str, str, str] | None  # a flagged position: snapshot, jurisdiction, ...
    year: str | None
    cycle: str | None


PageQuery = tuple[str, Callable[[duckdb.DuckDBPyConnection, Picks], object]]


def dashboard_pages() -> dict[str, list[PageQuery]]:
    """Return each page's queries in the order its view (dashboards/views/) asks them."""
    from dashboards import queries as q

    def drill(query: Callable[..., object]) -> Callable[[duckdb.DuckDBPyConnection, Picks],
                                                        object]:
        return lambda c, p: query(c, *p.flag) if p.flag else None

    return {
        "sidebar (every page)": [
            ("available_tables", lambda c, p: q.available_tables(c)),
            ("filter_options", lambda c, p: q.filter_options(c))],
        "overview": [
            ("headline_counts", lambda c, p: q.headline_counts(c, p.filters)),
            ("previous_snapshot", lambda c, p: q.previous_snapshot(c, p.filters.snapshot_date)),
            ("headline_counts (previous)",
             lambda c, p: q.headline_counts(c, p.previous) if p.previous else None),
            ("flag_counts", lambda c, p: q.flag_counts(c, p.filters)),
            ("changes_since_previous", lambda c, p: q.changes_since_previous(c, p.filters)),
            ("change_summary", lambda c, p: q.change_summary(c, p.filters)),
            ("data_quality_glance", lambda c, p: q.data_quality_glance(c))],
        "outliers": [
            ("flag_rule_ids", lambda c, p: q.flag_rule_ids(c, p.filters)),
            ("flag_list", lambda c, p: q.flag_list(c, p.filters, (), (), ()))],
        "outliers: one flag's drill-down": [
            ("position_detail", drill(q.position_detail)),
            ("position_score", drill(q.position_score)),
            ("factor_profile", drill(q.factor_profile)),
            ("reporting_chain", drill(q.reporting_chain)),
            ("determination_history",
             lambda c, p: q.determination_history(c, *p.flag[1:]) if p.flag else None),
            ("factor_evidence", drill(q.factor_evidence))],
        "band distribution": [
            ("band_mix", lambda c, p: q.band_mix(c, p.filters)),
            ("band_mix_by_agency", lambda c, p: q.band_mix_by_agency(c, p.filters))],
        "comparability": [
            ("points_distribution (agency)",
             lambda c, p: q.points_distribution(c, p.filters, "agency")),
            ("band_ranges", lambda c, p: q.band_ranges(c)),
            ("flag_list (agency_band_drift)",
             lambda c, p: q.flag_list(c, p.filters, (), ("agency_band_drift",))),
            ("agency_structure", lambda c, p: q.agency_structure(c, p.filters)),
            ("span_of_control", lambda c, p: q.span_of_control(c, p.filters)),
            ("points_distribution (jurisdiction)",
             lambda c, p: q.points_distribution(c, p.filters, "jurisdiction"))],
        "SES structure": [
            ("band_pyramid", lambda c, p: q.band_pyramid(c, p.filters)),
            ("agency_structure", lambda c, p: q.agency_structure(c, p.filters)),
            ("executive_vacancies", lambda c, p: q.executive_vacancies(c, p.filters)),
            ("tier_trend", lambda c, p: q.tier_trend(c, p.filters))],
        "SES structure: one agency": [
            ("band_pyramid", lambda c, p: q.band_pyramid(c, p.agency)),
            ("agency_structure", lambda c, p: q.agency_structure(c, p.agency)),
            ("executive_tree", lambda c, p: q.executive_tree(c, p.agency)),
            ("executive_vacancies", lambda c, p: q.executive_vacancies(c, p.agency)),
            ("tier_trend", lambda c, p: q.tier_trend(c, p.agency))],
        "performance": [
            ("maturity_years", lambda c, p: q.maturity_years(c)),
            ("maturity_matrix", lambda c, p: q.maturity_matrix(c, p.filters, p.year)),
            ("rating_cycles", lambda c, p: q.rating_cycles(c)),
            ("rating_distribution", lambda c, p: q.rating_distribution(c, p.filters, p.cycle)),
            ("overall_rating_by_agency",
             lambda c, p: q.overall_rating_by_agency(c, p.filters, p.cycle))],
        "data quality": [
            ("validation_results", lambda c, p: q.validation_results(c)),
            ("load_audit", lambda c, p: q.load_audit(c)),
            ("quarantine_reasons", lambda c, p: q.quarantine_reasons(c)),
            ("quarantine_rows", lambda c, p: q.quarantine_rows(c, 500)),
            ("unmapped_spellings", lambda c, p: q.unmapped_spellings(c))],
    }


def dashboard_picks(connection: duckdb.DuckDBPyConnection) -> Picks:
    """Return the filters and choices a first visit to each page makes."""
    from dashboards import queries as q
    from dashboards.filters import Filters

    options = q.filter_options(connection)
    filters = Filters(snapshot_date=options.latest_snapshot)
    previous = q.previous_snapshot(connection, filters.snapshot_date)
    largest = connection.execute(
        "select agency_code from positions where snapshot_date = ?::date group by agency_code"
        " order by count(*) desc, agency_code limit 1", [filters.snapshot_date]).fetchall()
    flags = q.flag_list(connection, filters, (), (), ()).filter(
        pl.col("position_id").is_not_null())
    flag = (tuple(flags.select("snapshot_date", "jurisdiction", "agency_code", "position_id")
                  .row(0)) if flags.height else None)
    years, cycles = q.maturity_years(connection), q.rating_cycles(connection)
    return Picks(filters, replace(filters, snapshot_date=previous) if previous else None,
                 replace(filters, agency_code=largest[0][0]) if largest else filters,
                 flag, years[0] if years else None, cycles[0] if cycles else None)


def _timed_ms(page_queries: list[PageQuery], connection: duckdb.DuckDBPyConnection,
              picks: Picks) -> list[float]:
    """Return how many milliseconds each of a page's queries took, in order."""
    timings = []
    for _, query in page_queries:
        started = time.perf_counter()
        query(connection, picks)
        timings.append(round((time.perf_counter() - started) * 1000, 1))
    return timings


def time_dashboard(warehouse: Path) -> dict[str, Any]:
    """Return, per page, each query's milliseconds cold and warm, and the page's totals."""
    from pipeline import warehouse as wh

    connection = wh.connect(warehouse, read_only=True)
    try:
        picks = dashboard_picks(connection)
    finally:
        connection.close()
    pages: dict[str, Any] = {}
    for page, page_queries in dashboard_pages().items():
        connection = wh.connect(warehouse, read_only=True)
        try:
            cold = _timed_ms(page_queries, connection, picks)
            warm = _timed_ms(page_queries, connection, picks)
        finally:
            connection.close()
        pages[page] = {
            "cold_ms": round(sum(cold), 1), "warm_ms": round(sum(warm), 1),
            "queries": {name: {"cold_ms": c, "warm_ms": w}
                        for (name, _), c, w in zip(page_queries, cold, warm, strict=True)}}
    return {"target_ms": DASHBOARD_TARGET_MS, "pages": pages}
