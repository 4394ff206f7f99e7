"""The dashboard app under Streamlit's AppTest: every page, its filters, empty states, review."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dashboard.build import build_warehouse, copy_warehouse, settings_with_ratio_min_fte
from dashboard.elements import walk
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboards import filters as dashboard_filters
from dashboards.context import DEFAULT_WAREHOUSE, WAREHOUSE_ENV, file_version, warehouse_path
from dashboards.filters import Agency, FilterOptions, Filters
from pipeline import schema
from pipeline import warehouse as pipeline_warehouse
from pipeline.audit import audit_path
from pipeline.settings import DATA_DIR_ENV

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
TIMEOUT = 60
PAGES = {
    "views/overview.py": "Overview",
    "views/outliers.py": "Outliers",
    "views/bands.py": "Band distribution by stream",
    "views/comparability.py": "Cross-agency comparability",
    "views/structure.py": "SES structure",
    "views/performance.py": "Performance framework",
    "views/data_quality.py": "Data quality",
}
OPTIONS = FilterOptions(
    snapshots=("2025-06-30", "2024-06-30"), jurisdictions=("APS", "VPS"),
    agencies=(Agency("APS", "DEPA", "Department of Alpha"),
              Agency("APS", "DEPB", "Bureau of Beta"),
              Agency("VPS", "VDOG", "Department of Gamma")),
    streams=("delivery", "policy", "unknown"), tiers=("HEAD", "SES3", "SES2", "SES1"))

Launcher = Callable[..., AppTest]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the fixture warehouse, built once for the module."""
    return build_warehouse(tmp_path_factory.mktemp("dashboard_app") / "fixture.duckdb")


@pytest.fixture
def launch(monkeypatch: pytest.MonkeyPatch, warehouse: Path) -> Launcher:
    """Return a starter of the app on a warehouse (the fixture's by default), already run."""
    def start(path: Path = warehouse, page: str | None = None,
              params: dict[str, str] | None = None) -> AppTest:
        monkeypatch.setattr("sys.argv", ["app.py", "--warehouse", str(path)])
        app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        app.query_params = dict(params or {})
        app.run()
        if page:
            app.switch_page(page).run()
        assert not app.exception, [element.value for element in app.exception]
        return app
    return start


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Callable[[], bytes]]]:
    """Return the downloads the app offers, as (file name, the callable a click runs)."""
    offered: list[tuple[str, Callable[[], bytes]]] = []
    register = MediaFileManager.add_deferred

    def record(self: MediaFileManager, data: Callable[[], bytes], mimetype: str | None,
               coordinates: str, file_name: str | None = None, **options: Any) -> str:
        offered.append((file_name or "", data))
        return register(self, data, mimetype, coordinates, file_name=file_name, **options)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return offered


Downloads = list[tuple[str, Callable[[], bytes]]]


def audit_lines(path: Path) -> list[dict[str, Any]]:
    """Return the audit file of a warehouse, one dict per line."""
    file = audit_path(path)
    lines = file.read_text(encoding="utf-8").splitlines() if file.exists() else []
    return [json.loads(line) for line in lines]


def metrics(app: AppTest) -> dict[str, str]:
    """Return the app's metrics, label to value."""
    return {metric.label: metric.value for metric in app.metric}


def chart_specs(app: AppTest) -> list[dict[str, Any]]:
    """Return the Vega-Lite specs of the page's Altair charts."""
    return [json.loads(node.proto.spec) for node in walk(app.main)
            if type(node).__name__ == "UnknownElement" and node.type == "vega_lite_chart"]


def frame_with(app: AppTest, column: str) -> Any:
    """Return the first table on the page that has a column."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def texts(elements: Any) -> str:
    """Return the values of a list of text elements, joined."""
    return "\n".join(str(element.value) for element in elements)


# ---- every page ----------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_without_an_error(launch: Launcher, page: str) -> None:
    app = launch(page=page)
    assert [title.value for title in app.title] == [PAGES[page]]
    assert not app.error
    assert app.query_params["snapshot"] == "2025-06-30"


NARROW = {"snapshot": "2024-06-30", "jurisdiction": "APS", "agency": "DEPB",
          "stream": "delivery", "band": "SES1"}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_under_narrow_filters(launch: Launcher, page: str) -> None:
    app = launch(page=page, params=NARROW)
    assert [title.value for title in app.title] == [PAGES[page]]
    assert not app.error
    assert app.query_params == NARROW


def test_overview_counts_flags_and_changes(launch: Launcher) -> None:
    app = launch()
    shown = metrics(app)
    assert (shown["Positions"], shown["Executive positions"], shown["Agencies"],
            shown["Executive vacancies"], shown["Unmapped classifications"]) == (
        "36", "22", "3", "2", "1")
    assert (shown["Open · high"], shown["Open · medium"], shown["Open · low"]) == (
        "2", "3", "0")
    assert (shown["Added"], shown["Removed"], shown["Reclassified"]) == ("2", "1", "1")
    assert (shown["Files loaded"], shown["Rows quarantined"]) == ("5", "2")
    changes = app.dataframe[0].value
    assert sorted(changes["position_id"]) == ["B023", "G031", "P031", "P034", "P035"]
    assert len(chart_specs(app)) == 1


def test_outliers_ranks_flags_by_severity_then_magnitude(launch: Launcher) -> None:
    app = launch(page="views/outliers.py")
    flags = app.dataframe[0].value
    # high: inversion 8.0 before points 6.0; medium: determination 3.0, drift 2.0, then the
    # missing determination with no magnitude; low: resource 2.0 (tests/dashboard/findings.sql)
    assert list(zip(flags["severity"], flags["rule_id"], flags["magnitude"].fillna(-1),
                    strict=True)) == [
        ("high", "hierarchy_inversion", 8.0), ("high", "band_points_mismatch", 6.0),
        ("medium", "determination_mismatch", 3.0), ("medium", "agency_band_drift", 2.0),
        ("medium", "missing_determination", -1), ("low", "resource_evidence_mismatch", 2.0)]
    assert list(flags["status"]).count("justified") == 1
    # each rule named by its SQL header's title (ref_rules), its id kept beside it
    assert list(flags["rule_name"][:2]) == ["Banded at or above the position it reports to",
                                            "Factor points indicate another band"]
    assert [button.label for button in app.download_button] == ["Download CSV",
                                                                "Download XLSX"]
    app.multiselect(key="outliers_severity").select("high").run()
    assert len(app.dataframe[0].value) == 2
    assert app.query_params["severity"] == "high"  # the page's own filter is in the URL


def test_outliers_names_rules_and_shows_each_message_whole(launch: Launcher) -> None:
    app = launch(page="views/outliers.py", params={"flag": "f-p035-points"})
    # the drill-down names the rule, its id beside
    assert "Factor points indicate another band** (band\\_points\\_mismatch)" in texts(
        app.markdown)
    table = app.dataframe[0]
    # wrapping needs rows over 64 px; the fixture's longest message (67 characters) fits one
    # 560 px line, so the least wrapping height: 65 px
    assert table.proto.row_height == 65
    config = json.loads(table.proto.columns)
    assert config["message"]["width"] == 560
    rules = app.multiselect(key="outliers_rules")
    assert "Executive position with no determination" in rules.options  # the rule's title
    rules.set_value(["missing_determination"]).run()  # the URL keeps the id
    assert app.query_params["rule"] == "missing_determination"


def test_a_long_message_gets_rows_tall_enough_to_show_it_whole() -> None:
    from dashboards.components import wrapped_row_height
    # the sample's longest message, 346 characters: 77 a line at 560 px, 5 lines of 20 px
    assert wrapped_row_height(["x" * 346, None, "short"], 560) == 5 * 20 + 8
    assert wrapped_row_height([], 560) == 65


def test_outliers_filters_come_back_from_the_url(launch: Launcher) -> None:
    app = launch(page="views/outliers.py", params={"severity": "medium", "status": "open"})
    assert app.multiselect(key="outliers_severity").value == ["medium"]
    assert list(app.dataframe[0].value["rule_id"]) == [
        "determination_mismatch", "agency_band_drift", "missing_determination"]


def test_every_download_is_audited(launch: Launcher, downloads: Downloads,
                                   warehouse: Path) -> None:
    app = launch()  # the Overview, which offers no download
    for page in list(PAGES)[1:]:
        app.switch_page(page).run()
    assert sorted(name for name, _ in downloads) == ["flags.csv", "flags.xlsx"]
    before = len(audit_lines(warehouse))
    for _, build in downloads:
        build()  # what a click does
    lines = audit_lines(warehouse)[before:]
    assert [(line["action"], line["table"], line["output"], line["rows"], line["agency"])
            for line in lines] == [("download", "flags", name, 6, None) for name, _ in downloads]


def test_a_position_found_by_search_opens_its_drill_down(launch: Launcher) -> None:
    app = launch(page="views/outliers.py")
    app.text_input(key="outliers_search").input("chief economist").run()
    assert app.query_params["q"] == "chief economist"
    found = app.selectbox(key="outliers_position")
    assert found.value == "APS/DEPA/P035"
    assert "2 flags" in found.options[0]
    # its worst flag: the hierarchy inversion, with its evidence as a labelled table
    assert r"hierarchy\_inversion" in texts(app.markdown)  # escaped: shown as text
    evidence = frame_with(app, "what")
    assert list(evidence["what"]) == ["Reports to", "Manager's band"]
    assert "P035 · Chief Economist" in texts(app.markdown)
    app.text_input(key="outliers_search").input("P030").run()  # a position with no flag
    assert "No flag" in texts(app.caption)
    assert "P030" in texts(app.markdown)


def test_outliers_drill_down_from_the_url(launch: Launcher) -> None:
    app = launch(page="views/outliers.py", params={"flag": "f-p035-points"})
    shown = metrics(app)
    assert (shown["Held band"], shown["Factor points"], shown["Held band's range"],
            shown["Points indicate"]) == ("SES2", "30", "36 to 47", "SES1")
    assert app.json[0].value == json.dumps({"total_points": 30, "held_tier": "SES2",
                                            "indicated_tier": "SES1", "band_range": [36, 47]})
    evidence = frame_with(app, "what")
    assert list(zip(evidence["what"], evidence["value"], evidence["unit"], strict=True)) == [
        ("Factor points", "30", "points"), ("Held band", "SES2", ""),
        ("Points indicate", "SES1", ""), ("Held band's points range", "36 to 47", "points")]
    chain, history = frame_with(app, "level"), frame_with(app, "method")
    assert list(chain["position_id"]) == ["P001", "P010", "P020", "P030", "P035"]
    assert list(history["determination_id"]) == ["D-A035"]
    profile = chart_specs(app)[0]
    assert profile["mark"] == {"type": "line", "point": True}
    assert app.query_params["flag"] == "f-p035-points"


def test_bands_page_suppresses_small_agency_counts(launch: Launcher) -> None:
    app = launch(page="views/bands.py")
    mix, by_agency = app.dataframe[0].value, app.dataframe[1].value
    whole = mix[mix["stream_code"] == "all streams"]
    assert dict(zip(whole["tier"], whole["count_positions"], strict=True)) == {
        "HEAD": 3, "SES3": 2, "SES2": 7, "SES1": 10}
    depa_ses1 = by_agency[(by_agency["agency_code"] == "DEPA") & (by_agency["tier"] == "SES1")]
    depb_ses1 = by_agency[(by_agency["agency_code"] == "DEPB") & (by_agency["tier"] == "SES1")]
    assert depa_ses1["count_positions"].tolist() == [5]
    assert depb_ses1["count_positions"].isna().tolist() == [True]
    assert depb_ses1["share"].isna().tolist() == [True]
    assert "fewer than 5" in texts(app.caption)


def test_comparability_shows_the_crosswalk_assumption(launch: Launcher) -> None:
    app = launch(page="views/comparability.py")
    assert "assumption, not a published equivalence" in texts(app.warning)
    assert "THIS IS AN ASSUMPTION" in texts(app.code)
    drift = frame_with(app, "message")
    assert list(drift["agency_code"]) == ["DEPA"]
    ratios = frame_with(app, "executives_per_1000_fte")
    assert ratios["count_executives"].tolist() == [10, 5, 7]
    assert ratios["total_fte"].tolist() == [17.0, 8.0, 11.0]  # the FTE column
    # every fixture agency is under 100 FTE (data/structure.toml): no ratio, each named
    assert ratios["executives_per_1000_fte"].isna().all()
    assert ("Left out for size: 3 agencies, DEPB (8 FTE), VDOG (11 FTE), DEPA (17 FTE)."
            in texts(app.caption))
    # SES2's agencies of fewer than 5 (DEPA 3, DEPB 1, VDOG 3) are drawn combined
    points = frame_with(app, "median_points")
    assert points[["group", "tier", "count_positions", "median_points"]].values.tolist() == [
        ["Smaller agencies (combined)", "SES2", 7, 40.0], ["APS DEPA", "SES1", 5, 27.0]]


def test_the_ratio_follows_the_shared_size_threshold(launch: Launcher, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(settings_with_ratio_min_fte(tmp_path / "data", 10)))
    app = launch(page="views/comparability.py")
    ratios = frame_with(app, "executives_per_1000_fte")
    # DEPA 10 executives of 17 FTE, VDOG 7 of 11; DEPB's 8 FTE are under 10
    assert ratios["executives_per_1000_fte"].tolist()[0::2] == [588.2, 636.4]
    assert ratios["executives_per_1000_fte"].isna().tolist() == [False, True, False]
    assert "Left out for size: 1 agency, DEPB (8 FTE)." in texts(app.caption)
    bars = [spec for spec in chart_specs(app)
            if spec.get("encoding", {}).get("x", {}).get("field") == "executives_per_1000_fte"]
    assert len(bars) == 1


def test_a_chosen_agency_is_drawn_in_red_against_every_other(launch: Launcher) -> None:
    app = launch(page="views/comparability.py", params={"jurisdiction": "APS",
                                                        "agency": "DEPA"})
    assert "APS DEPA in red, against every other agency." in texts(app.caption).replace(
        "\\", "")
    points = frame_with(app, "median_points")
    # DEPA is never combined: its bands of fewer than 5 stay as suppressed rows; the others'
    # SES2 (DEPB 1, VDOG 3: 4 of 2 agencies) are too few to combine
    assert points[["group", "tier", "count_positions"]].fillna(-1).values.tolist() == [
        ["APS DEPA", "HEAD", -1], ["APS DEPA", "SES3", -1], ["APS DEPA", "SES2", -1],
        ["APS DEPA", "SES1", 5]]
    box = next(spec for spec in chart_specs(app) if "facet" in spec)
    colour = box["spec"]["layer"][2]["encoding"]["color"]
    assert colour["condition"]["test"] == "datum.is_chosen"


def test_structure_asks_for_an_agency_then_draws_its_tree(launch: Launcher) -> None:
    app = launch(page="views/structure.py")
    assert "Choose an agency" in texts(app.info)
    vacancies = frame_with(app, "occupancy")
    assert list(vacancies["position_id"]) == ["P031", "G032", "P021"]
    app = launch(page="views/structure.py", params={"jurisdiction": "APS", "agency": "DEPA"})
    tree = texts(app.markdown)
    assert "flowchart LR" in tree
    # one level by default: P001 -> P010; below P010, P020 with its 4 executives and P021
    # with its 2, not drawn
    assert "P010 · SES3 · Deputy Secretary Policy (+8)" in tree and "P020 · " not in tree
    assert "No structure notes for this selection" in texts(app.caption)
    app.slider(key="structure_tree_depth").set_value(4).run()
    tree = texts(app.markdown)
    assert 'P035 · SES2 · Chief Economist' in tree
    assert "class n" in tree
    assert "flagged" in tree  # P035 carries two flags
    app.selectbox(key="structure_tree_root").set_value("P030").run()
    tree = texts(app.markdown)
    assert "P030 · " in tree and "P035 · " in tree and "P020 · " not in tree


STRUCTURE_NOTES = """
    insert into flags by name select * from (values
        ('f-p032-span', date '2025-06-30', 'APS', 'DEPA', 'P032', 'SES1', 'span_of_one', 'low',
         'Assistant Secretary Strategy (P032, SES1) has one direct report: P041 (EL2).',
         '{"direct_reports": 1}', 1.0),
        ('f-g051-stretched', date '2025-06-30', 'VPS', 'VDOG', 'G051', 'VPS5',
         'stretched_report', 'low',
         'G051 (VPS5) reports to G030 (SES1), across VPS6, a band VDOG holds.',
         '{"grade_distance": 2}', 2.0)
    ) as notes(flag_key, snapshot_date, jurisdiction, agency_code, position_id, classification,
               rule_id, severity, message, evidence, magnitude)"""


def test_structure_notes_are_listed_beside_the_tree(launch: Launcher, warehouse: Path,
                                                    tmp_path: Path) -> None:
    """DEPA's P032 has one direct report (P041), VDOG's G051 (VPS5) reports to an SES1 over
    VPS6, which VDOG holds (G050): the two notes the structure rules make of the fixture."""
    noted = copy_warehouse(warehouse, tmp_path / "notes.duckdb")
    with duckdb.connect(str(noted)) as connection:
        connection.execute(STRUCTURE_NOTES)
    app = launch(path=noted, page="views/structure.py")
    notes = [text for text in texts(app.markdown).splitlines() if " · " in text
             and text.startswith("**")]
    # worst first (the stretched report's magnitude 2 before the span's 1), each named by its
    # rule's title
    assert notes == ["**VDOG G051** · Reports across a band its agency holds  ",
                     "**DEPA P032** · An executive position with one direct report  "]
    assert "2 notes, low severity" in texts(app.caption)
    app = launch(path=noted, page="views/structure.py",
                 params={"jurisdiction": "APS", "agency": "DEPA"})
    shown = texts(app.markdown)
    assert "**DEPA P032**" in shown and "G051" not in shown
    assert "flowchart LR" in shown  # beside the tree
    # a structure note does not make its position red in the tree: P032 has no other flag
    app.slider(key="structure_tree_depth").set_value(4).run()
    shown = texts(app.markdown)
    node = next(line for line in shown.splitlines() if "P032 · " in line).split("[")[0].strip()
    assert f"class {node} flagged" not in shown
    app = launch(path=noted, page="views/structure.py",
                 params={"jurisdiction": "APS", "agency": "DEPB"})
    assert "No structure notes for this selection" in texts(app.caption)


def test_performance_suppresses_small_rating_counts(launch: Launcher) -> None:
    app = launch(page="views/performance.py")
    assert app.selectbox(key="performance_year").value == "2025"
    ratings = app.dataframe[0].value
    overall = ratings[ratings["dimension"] == "overall_rating"]
    # unsatisfactory 0, developing 1, effective 8, highly effective 3, outstanding 1
    assert overall["count_ratings"].isna().tolist() == [False, True, False, True, True]
    assert overall["count_ratings"].dropna().tolist() == [0, 8]
    heatmap = chart_specs(app)[0]
    assert [layer["mark"]["type"] for layer in heatmap["layer"]] == ["rect", "text"]
    assert "snapshot filter is not applied" in texts(app.caption)


def test_data_quality_lists_loads_quarantine_and_spellings(launch: Launcher) -> None:
    app = launch(page="views/data_quality.py")
    results, audit = app.dataframe[0].value, app.dataframe[1].value
    assert results["rows_read"].sum() == 124
    assert len(audit) == 5
    unmapped = app.dataframe[-1].value
    assert unmapped["spelling"].tolist() == ["Graduate Officer"]


# ---- filters in the URL --------------------------------------------------------------------

@pytest.mark.parametrize(("params", "positions", "executives"), [
    ({"agency": "DEPA", "jurisdiction": "APS"}, "17", "10"),
    ({"snapshot": "2024-06-30"}, "35", "21"),
    ({"band": "SES2"}, "7", "7"),
    ({"stream": "unknown"}, "17", "3"),
    ({"agency": "NOPE", "snapshot": "1999-01-01", "band": "x' or 1=1"}, "36", "22"),
])
def test_filters_come_from_the_url(launch: Launcher, params: dict[str, str], positions: str,
                                   executives: str) -> None:
    shown = metrics(launch(params=params))
    assert (shown["Positions"], shown["Executive positions"]) == (positions, executives)


def test_a_sidebar_choice_goes_into_the_url_and_survives_a_page_change(
        launch: Launcher) -> None:
    app = launch(params={"jurisdiction": "APS", "agency": "DEPA"})
    app.sidebar.selectbox(key="filter_jurisdiction").select("VPS").run()
    assert metrics(app)["Positions"] == "11"
    assert app.query_params == {"jurisdiction": "VPS", "snapshot": "2025-06-30"}
    app.sidebar.selectbox(key="filter_tier").select("SES2").run()
    app.switch_page("views/outliers.py").run()
    assert app.query_params["band"] == "SES2"
    assert list(app.dataframe[0].value["position_id"]) == ["G031"]


def test_filters_from_params_validates_every_value() -> None:
    chosen = dashboard_filters.filters_from_params(
        {"snapshot": "2024-06-30", "jurisdiction": "VPS", "agency": "DEPA",
         "stream": ["delivery", "policy"], "band": "SES9"}, OPTIONS)
    assert chosen == Filters("2024-06-30", "VPS", None, "policy", None)
    assert dashboard_filters.filters_from_params({}, OPTIONS) == Filters("2025-06-30")


def test_params_round_trip_and_leave_other_parameters_alone() -> None:
    chosen = Filters("2025-06-30", "APS", "DEPB", None, "SES1")
    params = dashboard_filters.params_from_filters(chosen)
    assert params == {"snapshot": "2025-06-30", "jurisdiction": "APS", "agency": "DEPB",
                      "band": "SES1"}
    assert dashboard_filters.filters_from_params(params, OPTIONS) == chosen
    url = {"flag": "abc", "stream": "policy", "agency": "DEPA"}
    dashboard_filters.sync_query_params(url, chosen)
    assert url == {"flag": "abc", "agency": "DEPB", "snapshot": "2025-06-30",
                   "jurisdiction": "APS", "band": "SES1"}


# ---- the warehouse and empty states ----------------------------------------------------------

def test_the_warehouse_comes_from_the_arguments_or_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)
    assert warehouse_path(["--warehouse", "w.duckdb"]) == Path("w.duckdb")
    assert warehouse_path([]) == DEFAULT_WAREHOUSE
    monkeypatch.setenv(WAREHOUSE_ENV, "from-env.duckdb")
    assert warehouse_path(["--other", "x"]) == Path("from-env.duckdb")


def test_no_warehouse_says_how_to_build_one(launch: Launcher, tmp_path: Path) -> None:
    app = launch(path=tmp_path / "missing.duckdb")
    assert [title.value for title in app.title] == ["No warehouse yet"]
    assert "workvalue run --input build/sample" in texts(app.info)


def test_a_warehouse_without_positions_says_what_to_load(launch: Launcher,
                                                         tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    with pipeline_warehouse.connect(empty) as connection:
        schema.prepare(connection)
    app = launch(path=empty)
    assert [title.value for title in app.title] == ["No positions loaded"]
    assert "workvalue run --input DIR" in texts(app.info)


def test_a_filter_with_no_rows_says_so(launch: Launcher) -> None:
    app = launch(params={"jurisdiction": "VPS", "stream": "regulatory"})
    assert "No positions match the filters" in texts(app.info)
    app = launch(page="views/outliers.py", params={"agency": "DEPB", "jurisdiction": "APS",
                                                   "band": "HEAD"})
    assert "No flags for this selection" in texts(app.success)


def test_missing_scoring_tables_show_not_available_yet(launch: Launcher, warehouse: Path,
                                                       tmp_path: Path) -> None:
    unscored = copy_warehouse(warehouse, tmp_path / "unscored.duckdb")
    with duckdb.connect(str(unscored)) as connection:
        connection.execute("drop table position_scores")
        connection.execute("drop table agency_structure")
        connection.execute("drop table flags cascade")
    for page in ("views/outliers.py", "views/comparability.py", "views/overview.py"):
        app = launch(path=unscored, page=page)
        assert "not available yet" in texts(app.info)


def test_a_warehouse_being_written_says_so(launch: Launcher, warehouse: Path,
                                           tmp_path: Path) -> None:
    busy = copy_warehouse(warehouse, tmp_path / "busy.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
         " print('open', flush=True); time.sleep(60)", str(busy)],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        app = launch(path=busy)
        assert [title.value for title in app.title] == ["Warehouse busy"]
        assert "Wait for the run to finish" in texts(app.info)
    finally:
        holder.kill()
        holder.wait()


def test_file_version_changes_when_the_warehouse_is_written(warehouse: Path,
                                                            tmp_path: Path) -> None:
    copy = copy_warehouse(warehouse, tmp_path / "version.duckdb")
    before = file_version(copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("create table touched as select 1 as one")
    assert file_version(copy) != before


# ---- the exceptions register ----------------------------------------------------------------

def test_a_review_is_recorded_from_the_outliers_page(launch: Launcher, warehouse: Path,
                                                     tmp_path: Path) -> None:
    writable = copy_warehouse(warehouse, tmp_path / "review.duckdb")
    app = launch(path=writable, page="views/outliers.py", params={"flag": "f-p035-points"})
    app.radio(key="review_decision").set_value("act")
    app.text_area(key="review_note").input("Ask DEPA to re-evaluate the role.")
    app.text_input(key="review_reviewer").input("R07")
    app.button[0].click().run()
    assert not app.exception
    assert "Recorded: this flag is act." in texts(app.success)
    flags = app.dataframe[0].value
    assert flags[flags["rule_id"] == "band_points_mismatch"]["status"].tolist() == ["act"]
    with duckdb.connect(str(writable), read_only=True) as connection:
        assert connection.execute(
            "select decision, note, reviewer from flag_reviews where flag_key = ?",
            ["f-p035-points"]).fetchall() == [("act", "Ask DEPA to re-evaluate the role.",
                                               "R07")]
    assert "R07" not in texts(app.markdown) + texts(app.caption)


def test_a_review_without_a_note_is_refused(launch: Launcher, warehouse: Path,
                                           tmp_path: Path) -> None:
    writable = copy_warehouse(warehouse, tmp_path / "refused.duckdb")
    app = launch(path=writable, page="views/outliers.py", params={"flag": "f-b022-missing"})
    app.text_input(key="review_reviewer").input("R07")
    app.button[0].click().run()
    assert "needs a note" in texts(app.error)
    with duckdb.connect(str(writable), read_only=True) as connection:
        assert connection.execute("select count(*) from flag_reviews").fetchone() == (1,)
