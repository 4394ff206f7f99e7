"""The dashboard end to end: `workvalue dashboard` serving, every page opened in headless Chromium.

Chromium comes from Debian (`make browser`); playwright drives it. One screenshot per page is
saved under build/screenshots/. The warehouse is the fixture's (tests/dashboard) with
hostile.sql's rows, unless WORKVALUE_E2E_WAREHOUSE names another one (e.g. the sample's, for
README screenshots). Every request the browser makes is watched: one to any host but 127.0.0.1
is refused and fails the test (the dashboard must work air-gapped, and no data value may make
a browser fetch anything).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from dashboard.build import BEACON, build_hostile_warehouse
from playwright.sync_api import Browser, Page, Route, sync_playwright

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = PROJECT / "build" / "screenshots"
WAREHOUSE_ENV = "WORKVALUE_E2E_WAREHOUSE"
START_SECONDS = 60
PAGE_TIMEOUT_MS = 60_000
QUIET_MS = 800  # the app counts as settled once it has not been running this long
VIEWPORT = {"width": 1400, "height": 1000}
LOCAL_HOST = "127.0.0.1"
MAX_TREE_HEIGHT_PX = 2_000  # the reporting tree as drawn (it was about 8,000 px for the MoD)
MIN_TREE_SCALE = 0.8  # the tree's drawn width over its natural width: text still readable
PAGES = {  # URL path -> page title
    "": "Overview",
    "outliers": "Outliers",
    "bands": "Band distribution by stream",
    "comparability": "Cross-agency comparability",
    "structure": "SES structure",
    "performance": "Performance framework",
    "data-quality": "Data quality",
}


def warehouse_label() -> str:
    """Return the name of the warehouse served, for the screenshots' folder."""
    named = os.environ.get(WAREHOUSE_ENV)
    return Path(named).stem if named else "fixture"


def flagged_position(warehouse: Path) -> str | None:
    """Return the id of a flagged position of the newest snapshot, or None."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select position_id from flags where position_id is not null"
            " and snapshot_date = (select max(snapshot_date) from positions)"
            " order by severity = 'high' desc, position_id limit 1").fetchall()
    return rows[0][0] if rows else None


def largest_agency(warehouse: Path) -> tuple[str, str]:
    """Return the jurisdiction and code of the agency with the most executive positions."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select jurisdiction, agency_code from positions where is_executive and"
            " snapshot_date = (select max(snapshot_date) from positions)"
            " group by all order by count(*) desc, agency_code limit 1").fetchall()[0]


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    """Return once the server answers its health check; fail if it exits or takes too long."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the dashboard exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the dashboard did not answer within {START_SECONDS} s")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the warehouse to serve: $WORKVALUE_E2E_WAREHOUSE, else the fixture's."""
    named = os.environ.get(WAREHOUSE_ENV)
    if named:
        return Path(named).resolve()
    return build_hostile_warehouse(tmp_path_factory.mktemp("dashboard_e2e") / "hostile.duckdb")


@pytest.fixture(scope="module")
def server(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of `workvalue dashboard` serving the warehouse (stopped afterwards)."""
    port = free_port()
    log = (tmp_path_factory.mktemp("dashboard_log") / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "dashboard", "--warehouse", str(warehouse),
         "--port", str(port)],
        cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://{LOCAL_HOST}:{port}"
    try:
        wait_until_healthy(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the CLI and the Streamlit server it started
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Return headless Debian Chromium driven by playwright."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Return a fresh browser tab that refuses, and fails the test on, any outside request."""
    tab = browser.new_page(viewport=VIEWPORT)
    outside: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    tab.route("**/*", guard)
    yield tab
    tab.close()
    assert outside == [], f"the browser asked for {outside}"


def settle(tab: Page, title: str) -> None:
    """Return once the page shows its title and the app has stopped running."""
    tab.get_by_role("heading", level=1, name=title).wait_for(timeout=PAGE_TIMEOUT_MS)
    running = tab.get_by_test_id("stStatusWidgetRunningIcon")
    quiet_since = time.monotonic()
    deadline = quiet_since + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if running.count():
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_MS / 1000:
            return
        tab.wait_for_timeout(200)
    pytest.fail(f"the {title} page was still running after {PAGE_TIMEOUT_MS} ms")


def screenshot(tab: Page, name: str) -> Path:
    """Return the path of a full-height screenshot of the page's main column."""
    height = tab.evaluate(
        "() => document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
    tab.set_viewport_size({"width": VIEWPORT["width"], "height": min(height + 150, 8000)})
    tab.wait_for_timeout(500)  # charts redraw at the new size
    folder = SCREENSHOTS / warehouse_label()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(VIEWPORT)
    return path


def assert_no_error(tab: Page) -> None:
    """Fail if the page shows an exception, an error box or a traceback."""
    assert tab.get_by_test_id("stException").count() == 0
    assert tab.get_by_test_id("stAlertContentError").count() == 0
    body = tab.inner_text("body")
    assert "Traceback" not in body
    assert "Error" not in tab.title()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_without_an_error(server: str, page: Page, path: str) -> None:
    page.goto(f"{server}/{path}")
    settle(page, PAGES[path])
    assert_no_error(page)
    assert page.get_by_test_id("stSidebarNavLink").count() == len(PAGES)
    assert "snapshot=" in page.url
    shot = screenshot(page, path or "overview")
    assert shot.stat().st_size > 10_000


def test_overview_shows_the_warehouse_numbers(server: str, page: Page) -> None:
    if os.environ.get(WAREHOUSE_ENV):
        pytest.skip("the numbers are the fixture warehouse's")
    page.goto(server)
    settle(page, "Overview")
    positions = page.get_by_test_id("stMetric").filter(has_text="Positions").first
    assert positions.get_by_test_id("stMetricValue").inner_text() == "36"
    charts = page.get_by_test_id("stVegaLiteChart")
    charts.first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)  # drawn after the metrics
    assert charts.count() >= 1


def test_filters_in_the_url_survive_a_click_to_another_page(server: str, page: Page) -> None:
    page.goto(f"{server}/?jurisdiction=APS&agency=DEPA")
    settle(page, "Overview")
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Outliers").click()
    settle(page, "Outliers")
    assert_no_error(page)
    if not os.environ.get(WAREHOUSE_ENV):
        assert "agency=DEPA" in page.url
        assert "jurisdiction=APS" in page.url


def test_markdown_in_the_data_is_shown_as_text(server: str, page: Page) -> None:
    if os.environ.get(WAREHOUSE_ENV):
        pytest.skip("the Markdown is planted in the fixture warehouse")
    page.goto(f"{server}/outliers?flag=f-p035-points")
    settle(page, "Outliers")
    assert_no_error(page)
    body = page.inner_text("body").replace("\u2060", "")  # the word joiners plain() adds
    assert f"![x](http://{BEACON}/beacon.png)" in body  # shown as it is written
    assert page.locator(f"img[src*='{BEACON}']").count() == 0
    assert page.locator(f"a[href*='{BEACON}']").count() == 0


def test_a_flagged_position_found_by_search_opens_its_drill_down(server: str, page: Page,
                                                                warehouse: Path) -> None:
    position_id = flagged_position(warehouse)
    assert position_id is not None, "the warehouse has no flagged position"
    page.goto(f"{server}/outliers")
    settle(page, "Outliers")
    search = page.get_by_label("Find a position by id or title, flagged or not")
    search.fill(position_id)
    search.press("Enter")
    page.get_by_role("heading", name="Exceptions register").wait_for(timeout=PAGE_TIMEOUT_MS)
    settle(page, "Outliers")
    assert_no_error(page)
    assert f"q={position_id}" in page.url.replace("%20", " ")
    assert page.get_by_text("Evidence as recorded (JSON)").count() == 1
    assert position_id in page.inner_text("[data-testid=stMainBlockContainer]")
    screenshot(page, "outliers-search")


def test_the_largest_agencys_reporting_tree_renders(server: str, page: Page,
                                                   warehouse: Path) -> None:
    jurisdiction, agency = largest_agency(warehouse)
    page.goto(f"{server}/structure?jurisdiction={jurisdiction}&agency={agency}")
    settle(page, "SES structure")
    assert_no_error(page)
    page.get_by_role("heading", name="Executive reporting tree").scroll_into_view_if_needed()
    diagram = page.locator("[data-testid=stMermaidChart] img").first  # drawn when in view
    diagram.wait_for(timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector("
                           "'[data-testid=stMermaidChart] img').naturalWidth > 0",
                           timeout=PAGE_TIMEOUT_MS)
    assert page.get_by_test_id("stMermaidError").count() == 0
    body = page.inner_text("body")
    assert "Maximum text size" not in body and "Syntax error" not in body
    box = diagram.bounding_box()
    natural_width = page.evaluate("() => document.querySelector("
                                  "'[data-testid=stMermaidChart] img').naturalWidth")
    # compact: a few screens at most (the Ministry of Defence's: about 1,500 px), and drawn at
    # (nearly) its natural size, so that its text is not shrunk past reading
    assert box is not None and 50 < box["height"] < MAX_TREE_HEIGHT_PX
    assert box["width"] / natural_width >= MIN_TREE_SCALE
    screenshot(page, f"structure-{agency.lower()}")
