"""The query registry (dashboards/queries): each page declares exactly the queries it asks.

Every page is run under AppTest on the fixture warehouse with WarehouseReader.query recording
what it asks; the recorded queries must be the page's declaration (plus the sidebar's). The
registry is then run as `workvalue bench` runs it, on the first visit's choices.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dashboard.build import build_warehouse
from streamlit.testing.v1 import AppTest

from dashboards import context, queries

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
VIEWS = {"overview": "views/overview.py", "outliers": "views/outliers.py",
         "bands": "views/bands.py", "comparability": "views/comparability.py",
         "structure": "views/structure.py", "performance": "views/performance.py",
         "data-quality": "views/data_quality.py"}
OPENED = {  # registry title -> the URL parameters that open that part of the page
    "outliers: one flag's drill-down": {"flag": "f-p035-points"},
    "outliers: a position searched": {"q": "P035"},
    "SES structure: one agency": {"jurisdiction": "APS", "agency": "DEPA"},
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the fixture warehouse, built once for the module."""
    return build_warehouse(tmp_path_factory.mktemp("dashboard_registry") / "fixture.duckdb")


def asked(monkeypatch: pytest.MonkeyPatch, warehouse: Path, page: str,
          params: dict[str, str]) -> set[str]:
    """Return the names of the queries a page asked when run under AppTest."""
    names: set[str] = set()
    original = context.WarehouseReader.query

    def recording(reader: context.WarehouseReader, query: Callable[..., Any],
                  *arguments: Any) -> Any:
        names.add(query.__name__)
        return original(reader, query, *arguments)

    monkeypatch.setattr(context.WarehouseReader, "query", recording)
    monkeypatch.setattr("sys.argv", ["app.py", "--warehouse", str(warehouse)])
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params = dict(params)
    app.run()
    names.clear()  # the first run draws the default page: keep only the chosen page's run
    app.switch_page(page).run()
    assert not app.exception, [element.value for element in app.exception]
    return names


def declared(entry: queries.PageQueries) -> set[str]:
    """Return the names of the functions a registry entry declares (and the sidebar's)."""
    return {query.query.__name__ for query in (*entry.queries, *queries.SIDEBAR.queries)}


@pytest.mark.parametrize("entry", [entry for entry in queries.REGISTRY if entry.page],
                         ids=lambda entry: entry.title)
def test_each_page_asks_exactly_what_it_declares(monkeypatch: pytest.MonkeyPatch,
                                                 warehouse: Path,
                                                 entry: queries.PageQueries) -> None:
    params = OPENED.get(entry.title, {})
    recorded = asked(monkeypatch, warehouse, VIEWS[entry.page], params)
    # the page asks every query the entry declares, and none that no entry of the page declares
    # (opening a part of a page also draws the page itself)
    of_the_page = set().union(*(declared(other) for other in queries.REGISTRY
                                if other.page == entry.page))
    assert declared(entry) <= recorded <= of_the_page
    if not params:  # the page as first opened asks exactly its own entry's queries
        assert recorded == declared(entry)


def test_every_page_is_in_the_registry() -> None:
    assert {entry.page for entry in queries.REGISTRY} == {"", *VIEWS}


def test_the_registry_runs_on_a_first_visit(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        visit = queries.first_visit(connection)
        assert visit.filters.snapshot_date == "2025-06-30"
        assert visit.previous is not None and visit.previous.snapshot_date == "2024-06-30"
        assert visit.agency.agency_code == "DEPA"  # the agency of the most positions
        assert visit.flag == ("2025-06-30", "APS", "DEPA", "P035")
        assert (visit.year, visit.cycle) == ("2025", "2024-25")
        results = {(entry.title, query.label): query.run(connection, visit)
                   for entry in queries.REGISTRY for query in entry.queries}
    assert results[("outliers: one flag's drill-down", "reporting_chain")][
        "position_id"].to_list() == ["P001", "P010", "P020", "P030", "P035"]
    assert results[("overview", "previous_snapshot")] == "2024-06-30"
    assert results[("data quality", "quarantine_rows")].height == 2
    assert all(result is not None for result in results.values())
