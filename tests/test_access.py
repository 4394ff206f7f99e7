"""Access: a dashboard scoped to one agency shows nothing of any other; user values stay values.

`workvalue dashboard --agency CODE` hands `--agency CODE` to dashboards/app.py. These tests run
the real app under Streamlit's AppTest with those arguments, on the dashboard fixture warehouse
(three agencies: DEPA, DEPB, VDOG), visit every page under hostile URL parameters, drill into
flags and take every download; then they search every rendered element (text, tables, charts,
widgets, as the browser would receive them) and every downloaded file for the other agencies'
codes, names, position ids, determination ids and flag keys.

Then injection: SQL-looking and odd strings through every URL parameter, the review form's text
widgets, `--agency`, and the CLI's export table name and review key; nothing may break, no row
may leak, every table must still be there.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from dashboard.build import build_warehouse
from dashboard.elements import walk
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboards import scope
from pipeline import cli, duck
from pipeline.audit import audit_path
from pipeline.errors import ReviewError

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
PEERS = Path(__file__).resolve().parent / "access" / "peers.sql"
TIMEOUT = 60
AGENCY = "DEPA"
PAGES = ("views/overview.py", "views/outliers.py", "views/bands.py", "views/comparability.py",
         "views/structure.py", "views/performance.py", "views/data_quality.py")
HOSTILE = (  # URL parameters that ask for other agencies' rows
    {},
    {"jurisdiction": "APS", "agency": "DEPB", "flag": "f-b022-missing"},
    {"jurisdiction": "VPS", "agency": "VDOG", "flag": "f-g031-determination",
     "snapshot": "2024-06-30", "band": "SES2", "stream": "policy"},
)
INJECTIONS = ("'; drop table positions; --", "' or '1'='1", '"', "DEPA' or agency_code <> '",
              "\uff24\uff25\uff30\uff22\u0000\u202e😀 %_*")  # full-width DEPB, NUL, RTL

Launcher = Callable[..., AppTest]
Downloads = list[tuple[str, Callable[[], bytes]]]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the dashboard fixture warehouse, plus a third agency's scored SES1 positions."""
    path = build_warehouse(tmp_path_factory.mktemp("access") / "fixture.duckdb")
    with duckdb.connect(str(path)) as connection:
        connection.execute(PEERS.read_text(encoding="utf-8"))
    return path


@pytest.fixture(scope="module")
def secrets(warehouse: Path) -> list[str]:
    """Return what a DEPA-scoped dashboard must never show: every other agency's identifiers."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("""
            select agency_code from positions where agency_code <> $agency
            union select agency_name from positions where agency_code <> $agency
            union select position_id from positions where agency_code <> $agency
            union select position_id from raw_positions where trim(agency_code) <> $agency
            union select determination_id from raw_determinations
                where trim(agency_code) <> $agency
            union select flag_key from flags where agency_code <> $agency
            """, {"agency": AGENCY}).fetchall()
    found = sorted({row[0] for row in rows if row[0]})
    assert {"DEPB", "VDOG", "XTRA", "Bureau of Beta", "Department of Gamma", "B022", "G031",
            "D-BAD", "f-b022-missing"} <= set(found)
    return found


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    """Return the downloads every app run offers, as (file name, the callable that builds it).

    Streamlit registers a download built on click with its media file manager; this records
    each registration and passes it on, so the test can click every download.
    """
    offered: Downloads = []
    register = MediaFileManager.add_deferred

    def record(self: MediaFileManager, data: Callable[[], bytes], mimetype: str | None,
               coordinates: str, file_name: str | None = None, **options: Any) -> str:
        offered.append((file_name or "", data))
        return register(self, data, mimetype, coordinates, file_name=file_name, **options)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return offered


@pytest.fixture
def launch(monkeypatch: pytest.MonkeyPatch, warehouse: Path) -> Launcher:
    """Return a starter of the app (scoped to DEPA unless told), already run."""
    def start(path: Path = warehouse, agency: str | None = AGENCY,
              params: dict[str, str] | None = None) -> AppTest:
        arguments = ["app.py", "--warehouse", str(path)]
        arguments += ["--agency", agency] if agency is not None else []
        monkeypatch.setattr("sys.argv", arguments)
        app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        app.query_params = dict(params or {})
        app.run()
        assert not app.exception, [element.value for element in app.exception]
        return app
    return start


def rendered(app: AppTest) -> bytes:
    """Return every element of the page as the browser receives it (text, tables, charts)."""
    return b"\n".join(node.proto.SerializeToString()
                      for node in (*walk(app.main), *walk(app.sidebar))
                      if hasattr(getattr(node, "proto", None), "SerializeToString"))


def downloaded(name: str, build: Callable[[], bytes]) -> bytes:
    """Return a download's content as text bytes (a workbook is read back to CSV)."""
    content = build()
    if name.endswith(".xlsx"):
        return pl.read_excel(io.BytesIO(content), infer_schema_length=0).write_csv().encode()
    return content


def leaks(content: bytes, secrets: list[str]) -> list[str]:
    """Return the secrets found in some content."""
    return [secret for secret in secrets if secret.encode() in content]


def texts(elements: Any) -> str:
    """Return the values of a list of text elements, joined."""
    return "\n".join(str(element.value) for element in elements)


def audit_lines(path: Path) -> list[dict[str, Any]]:
    """Return the export audit file of a warehouse, one dict per line."""
    file = audit_path(path)
    lines = file.read_text(encoding="utf-8").splitlines() if file.exists() else []
    return [json.loads(line) for line in lines]


def table_counts(path: Path) -> dict[str, int]:
    """Return every table of a warehouse with its row count."""
    with duckdb.connect(str(path), read_only=True) as connection:
        return {table: connection.execute(f'select count(*) from "{table}"').fetchall()[0][0]
                for table in duck.table_names(connection)}


# ---- the scope holds on every page, whatever the URL asks -------------------------------------

@pytest.mark.parametrize("params", HOSTILE, ids=["plain", "other-agency", "other-everything"])
def test_every_page_and_download_of_a_scoped_dashboard_shows_one_agency(
        launch: Launcher, downloads: Downloads, secrets: list[str], warehouse: Path,
        params: dict[str, str]) -> None:
    app = launch(params=params)
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, [element.value for element in app.exception])
        assert len(app.title) == 1
        assert leaks(rendered(app), secrets) == [], page
        assert app.query_params.get("agency") == AGENCY
    offered = {"flags.csv", "flags.xlsx"} if "band" not in params else set()  # DEPA: no SES2
    assert {name for name, _ in downloads} == offered  # policy flag in 2024
    for name, build in downloads:
        content = downloaded(name, build)
        assert leaks(content, secrets) == [], name
        assert b"DEPA" in content
    recorded = [entry for entry in audit_lines(warehouse) if entry["action"] == "download"]
    latest = recorded[len(recorded) - len(downloads):]  # each click, as it happened
    assert [(entry["table"], entry["output"], entry["agency"], entry["rows"])
            for entry in latest] == [("flags", name, AGENCY, 4) for name, _ in downloads]


def test_the_sidebar_offers_the_scoped_agency_only(launch: Launcher) -> None:
    app = launch(params={"agency": "VDOG", "jurisdiction": "VPS"})
    agency = app.sidebar.selectbox(key="filter_agency_code")
    assert agency.options == ["DEPA: Department of Alpha"]
    assert app.sidebar.selectbox(key="filter_jurisdiction").options == [
        "All jurisdictions", "APS"]
    assert "1 agency" in texts(app.sidebar.caption)
    assert "scoped to one agency" in texts(app.sidebar.caption)


def test_a_scoped_dashboard_counts_the_agency_alone(launch: Launcher) -> None:
    shown = {metric.label: metric.value for metric in launch().metric}
    assert (shown["Positions"], shown["Executive positions"], shown["Agencies"]) == (
        "17", "10", "1")
    assert (shown["Files loaded"], shown["Rows quarantined"]) == ("5", "1")


def test_every_flag_of_the_agency_drills_down_and_no_other(launch: Launcher,
                                                          secrets: list[str]) -> None:
    app = launch()
    app.switch_page("views/outliers.py").run()
    keys = app.selectbox(key="outliers_flag").options
    flags = app.dataframe[0].value
    assert set(flags["agency_code"]) == {AGENCY} and len(flags) == 4
    for key in flags["position_id"].dropna().unique():
        assert key.startswith("P")
    for index in range(len(keys)):
        app.selectbox(key="outliers_flag").set_value(
            app.selectbox(key="outliers_flag").options[index]).run()
        assert not app.exception
        assert leaks(rendered(app), secrets) == []
    for other in ("f-b022-missing", "f-g031-determination"):
        app = launch(params={"flag": other})
        app.switch_page("views/outliers.py").run()
        assert app.selectbox(key="outliers_flag").value is None
        assert app.json == [] and app.metric == []


def test_a_review_is_written_only_for_a_flag_of_the_scoped_agency(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        scope.check_flag(connection, "f-p035-points", AGENCY)
        for other in ("f-b022-missing", "f-g031-determination"):
            with pytest.raises(ReviewError, match="is not one of agency DEPA's flags"):
                scope.check_flag(connection, other, AGENCY)


def test_an_unknown_agency_shows_nothing_and_names_no_other(launch: Launcher,
                                                           secrets: list[str]) -> None:
    app = launch(agency="NOPE")
    assert [title.value for title in app.title] == ["No such agency"]
    assert "`NOPE`" in texts(app.info)
    assert leaks(rendered(app), [*secrets, "DEPA", "Alpha"]) == []


# ---- cross-agency comparisons: the agency against anonymised others --------------------------

def test_comparability_sets_the_agency_against_other_agencies_combined(
        launch: Launcher, warehouse: Path, secrets: list[str]) -> None:
    app = launch()
    app.switch_page("views/comparability.py").run()
    table = next(frame.value for frame in app.dataframe if "group" in frame.value.columns)
    peers = table[table["group"] == scope.PEER_GROUP]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        points = pl.Series([row[0] for row in connection.execute(
            "select total_points from position_scores where agency_code <> 'DEPA'"
            " and tier = 'SES1' and snapshot_date = '2025-06-30'"
            " and total_points is not null").fetchall()])
    assert peers["tier"].tolist() == ["SES1"]  # the other bands have fewer than 3 agencies
    assert peers["count_positions"].tolist() == [len(points)]
    assert peers["median_points"].tolist() == [points.median()]
    assert peers["q1_points"].tolist() == [points.quantile(0.25, "linear")]
    assert peers["q3_points"].tolist() == [points.quantile(0.75, "linear")]
    assert peers["min_points"].isna().all() and peers["max_points"].isna().all()
    assert set(table["group"]) == {"APS DEPA", scope.PEER_GROUP}
    assert "Other agencies (combined)" in texts(app.caption)
    assert "Not shown on a dashboard scoped to one agency" in texts(app.info)
    assert leaks(rendered(app), secrets) == []


def test_an_unscoped_dashboard_shows_every_agency(launch: Launcher, secrets: list[str]) -> None:
    """The control: the same search finds the other agencies when the dashboard is not scoped."""
    app = launch(agency=None)
    app.switch_page("views/comparability.py").run()
    found = leaks(rendered(app), secrets)
    assert {"DEPB", "VDOG", "XTRA", "Bureau of Beta"} <= set(found)
    assert scope.PEER_GROUP.encode() not in rendered(app)


# ---- injection: every user value stays a value -------------------------------------------------

@pytest.mark.parametrize("agency", [AGENCY, None], ids=["scoped", "unscoped"])
def test_injection_through_the_url_breaks_nothing_and_leaks_nothing(
        launch: Launcher, warehouse: Path, secrets: list[str], agency: str | None) -> None:
    before = table_counts(warehouse)
    expected = {metric.label: metric.value for metric in launch(agency=agency).metric}
    for text in INJECTIONS:
        params = {key: text for key in ("snapshot", "jurisdiction", "agency", "stream", "band",
                                        "flag")}
        app = launch(agency=agency, params=params)
        assert {metric.label: metric.value for metric in app.metric} == expected
        app.switch_page("views/outliers.py").run()
        assert not app.exception
        assert app.selectbox(key="outliers_flag").value is None
        if agency is not None:
            assert leaks(rendered(app), secrets) == []
    assert table_counts(warehouse) == before


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_through_agency_shows_nothing(launch: Launcher, warehouse: Path,
                                                secrets: list[str], text: str) -> None:
    before = table_counts(warehouse)
    app = launch(agency=text)
    assert [title.value for title in app.title] == ["No such agency"]
    assert leaks(rendered(app), secrets) == []
    assert table_counts(warehouse) == before


def test_injection_through_the_review_form_is_stored_as_written(
        launch: Launcher, warehouse: Path, tmp_path: Path) -> None:
    writable = shutil.copy(warehouse, tmp_path / "w.duckdb")
    before = table_counts(writable)
    app = launch(path=writable, params={"flag": "f-p035-points"})
    app.switch_page("views/outliers.py").run()
    app.text_area(key="review_note").input(INJECTIONS[0] + INJECTIONS[4])
    app.text_input(key="review_reviewer").input(INJECTIONS[1])
    app.button[0].click().run()
    assert not app.exception
    assert "Recorded" in texts(app.success)
    after = table_counts(writable)
    assert after.keys() == before.keys()
    assert after["flag_reviews"] == before["flag_reviews"] + 1
    assert {table: count for table, count in after.items() if table not in (
        "flag_reviews", "open_flags", "warehouse_version")} == {
        table: count for table, count in before.items() if table not in (
            "flag_reviews", "open_flags", "warehouse_version")}
    with duckdb.connect(str(writable), read_only=True) as connection:
        assert connection.execute(
            "select note, reviewer from flag_reviews where flag_key = 'f-p035-points'"
        ).fetchall() == [(INJECTIONS[0] + INJECTIONS[4], INJECTIONS[1])]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_through_the_cli_breaks_nothing(warehouse: Path, tmp_path: Path,
                                                  text: str) -> None:
    writable = shutil.copy(warehouse, tmp_path / "w.duckdb")
    before = table_counts(writable)
    runner = CliRunner()
    exported = runner.invoke(cli.app, ["export", text, "--warehouse", str(writable),
                                       "--output", str(tmp_path / "out.csv")])
    assert exported.exit_code == 2
    assert "no table" in exported.output and "Traceback" not in exported.output
    reviewed = runner.invoke(cli.app, ["review", text + "00000000", "--decision", "act",
                                       "--note", text, "--reviewer", text,
                                       "--warehouse", str(writable)])
    assert reviewed.exit_code == 2
    assert "no flag has a key starting" in reviewed.output
    assert table_counts(writable) == before
    assert not (tmp_path / "out.csv").exists()


def test_the_cli_hands_agency_to_the_app_as_one_argument(monkeypatch: pytest.MonkeyPatch,
                                                        warehouse: Path) -> None:
    """`workvalue dashboard --agency` runs Streamlit without a shell, the code one argument;
    a code the warehouse does not hold (an injection string) exits 2 before any server starts."""
    started: list[list[str]] = []
    monkeypatch.setattr("pipeline.serve.serve", lambda command: started.append(command) or 0)
    refused = CliRunner().invoke(cli.app, ["dashboard", "--warehouse", str(warehouse),
                                           "--agency", INJECTIONS[0]])
    assert refused.exit_code == 2 and started == []
    assert f"agency {INJECTIONS[0]} has no positions" in " ".join(refused.output.split())
    result = CliRunner().invoke(cli.app, ["dashboard", "--warehouse", str(warehouse),
                                          "--agency", AGENCY])
    assert result.exit_code == 0
    [command] = started
    assert command[0] == sys.executable
    assert command[command.index("--") + 1:] == ["--warehouse", str(warehouse),
                                                 "--agency", AGENCY]


