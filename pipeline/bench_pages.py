"""Bench: the dashboard's queries, as its pages declare them (dashboards.queries.REGISTRY),
timed cold and warm on what a first visit to each page is shown."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

DASHBOARD_TARGET_MS = 500  # a page's queries, cold


def dashboard_pages() -> dict[str, Any]:
    """Return each page's title and its declared queries (registry PageQuery), in order."""
    from dashboards.queries import REGISTRY

    return {page.title: list(page.queries) for page in REGISTRY}


def _timed_ms(page_queries: list[Any], connection: duckdb.DuckDBPyConnection,
              visit: Any) -> list[float]:
    """Return how many milliseconds each of a page's queries took, in order."""
    timings = []
    for query in page_queries:
        started = time.perf_counter()
        query.run(connection, visit)
        timings.append(round((time.perf_counter() - started) * 1000, 1))
    return timings


def time_dashboard(warehouse: Path) -> dict[str, Any]:
    """Return, per page, each query's milliseconds cold and warm, and the page's totals."""
    from dashboards.queries import first_visit
    from pipeline import warehouse as wh

    connection = wh.connect(warehouse, read_only=True)
    try:
        visit = first_visit(connection)
    finally:
        connection.close()
    pages: dict[str, Any] = {}
    for page, page_queries in dashboard_pages().items():
        connection = wh.connect(warehouse, read_only=True)
        try:
            cold = _timed_ms(page_queries, connection, visit)
            warm = _timed_ms(page_queries, connection, visit)
        finally:
            connection.close()
        pages[page] = {
            "cold_ms": round(sum(cold), 1), "warm_ms": round(sum(warm), 1),
            "queries": {query.label: {"cold_ms": c, "warm_ms": w}
                        for query, c, w in zip(page_queries, cold, warm, strict=True)}}
    return {"target_ms": DASHBOARD_TARGET_MS, "pages": pages}
