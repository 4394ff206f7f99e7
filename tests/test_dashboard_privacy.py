"""What the dashboard must not show (issue 19): small cells, names, other agencies' evaluator
findings, and data values rendered as Markdown.

The warehouse is the fixture's with tests/dashboard/hostile.sql's rows added: quarantined rows
with a name and an email, two evaluator findings, and a flag, a position title and a review
note written as Markdown that would fetch an image.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from dashboard.build import BEACON, build_hostile_warehouse
from dashboard.elements import walk
from streamlit.testing.v1 import AppTest

from dashboards import queries, scope
from dashboards.components import plain
from dashboards.filters import Filters

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
IMAGE = f"![x](http://{BEACON}/beacon.png)"
UNESCAPED_MARKUP = re.compile(r"(?<!\\)\]\(|(?<!\\)<img|(?<!\\)!\[")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the fixture warehouse with the hostile rows added."""
    return build_hostile_warehouse(tmp_path_factory.mktemp("dashboard_privacy") / "hostile.duckdb")


def launch(monkeypatch: pytest.MonkeyPatch, warehouse: Path, page: str,
           params: dict[str, str], *arguments: str) -> AppTest:
    """Return the app run on a page of the hostile warehouse (scoped with --agency if given)."""
    monkeypatch.setattr("sys.argv", ["app.py", "--warehouse", str(warehouse), *arguments])
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params = dict(params)
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [element.value for element in app.exception]
    return app


def rendered_markdown(app: AppTest) -> list[str]:
    """Return the source of every element Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "info", "warning", "success", "error", "title", "header",
             "subheader")
    return [str(node.value) for node in walk(app.main)
            if type(node).__name__.lower() in kinds or getattr(node, "type", None) in kinds]


def test_plain_escapes_every_markup_character() -> None:
    # escaped, and a word joiner (invisible) after "http" so that no autolink is made of it
    assert plain(IMAGE) == "\\!\\[x\\]\\(http\u2060\\:\\/\\/198\\.51\\.100\\.7\\/beacon\\.png\\)"
    assert plain("jane@example.org www.example.org") == (
        "jane\u2060\\@example\\.org www\u2060\\.example\\.org")
    assert plain(None) == ""
    assert plain("SES Band 1 Chief Adviser") == "SES Band 1 Chief Adviser"
    assert plain("a, b") == r"a\, b"  # shown as "a, b": an escaped character is itself
    assert plain("line\nbreak") == "line break"


def test_the_bands_page_suppresses_one_agencys_small_counts(monkeypatch: pytest.MonkeyPatch,
                                                            warehouse: Path) -> None:
    # issue 19: bands?agency=X showed the agency's HEAD 1, SES3 1, SES2 3 in the first table
    app = launch(monkeypatch, warehouse, "views/bands.py", {"jurisdiction": "APS",
                                                            "agency": "DEPA"})
    mix = app.dataframe[0].value
    whole = mix[mix["stream_code"] == "all streams"]
    shown = dict(zip(whole["tier"], whole["count_positions"], strict=True))
    assert shown["SES1"] == 5
    assert all(shown[tier] != shown[tier] for tier in ("HEAD", "SES3", "SES2"))  # NaN: blank
    assert "is_suppressed" not in mix.columns
    assert any("fewer than 5" in str(caption.value) for caption in app.caption)


def test_quarantined_rows_keep_the_contract_columns_only(monkeypatch: pytest.MonkeyPatch,
                                                        warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        stored = connection.execute("select raw_record from quarantine").fetchall()
        rows = queries.quarantine_rows(connection, 10)
    assert all("Jane Citizen" in row[0] for row in stored)  # the plant is there
    records = [json.loads(record) for record in rows["raw_record"]]
    assert [sorted(set(record) - {"employee_name", "email"}) == sorted(record)
            for record in records] == [True, True]
    assert records[0]["determination_id"] == "D-BAD" and "evaluator" not in records[0]
    assert records[1]["position_title"] == "Adviser"
    app = launch(monkeypatch, warehouse, "views/data_quality.py", {})
    shown = " ".join(str(frame.value.to_dict()) for frame in app.dataframe)
    assert "Jane Citizen" not in shown and "jane@example.org" not in shown


def test_a_scoped_view_shows_evaluator_findings_on_its_own_determinations_only(
        warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as scoped:
        scope.apply(scoped, "DEPA")
        flags = queries.flag_list(scoped, Filters("2025-06-30"), (), ("evaluator_leniency",))
    # E02's SES2 determinations are all DEPA's; E01's are DEPA's and DEPB's
    assert flags["flag_key"].to_list() == ["f-e02"]
    with duckdb.connect(str(warehouse), read_only=True) as unscoped:
        every = queries.flag_list(unscoped, Filters("2025-06-30"), (), ("evaluator_leniency",))
    assert sorted(every["flag_key"]) == ["f-e01", "f-e02"]


def test_no_data_value_is_rendered_as_markdown(monkeypatch: pytest.MonkeyPatch,
                                               warehouse: Path) -> None:
    app = launch(monkeypatch, warehouse, "views/outliers.py", {"flag": "f-p035-points"})
    sources = rendered_markdown(app)
    carrying = [source for source in sources if BEACON.replace(".", r"\.") in source]
    assert len(carrying) >= 3  # the flag's message, the position's title, the review note
    assert [source for source in carrying if UNESCAPED_MARKUP.search(source)] == []
    flags = app.dataframe[0].value  # a table shows its cells as text, as they are
    assert f"P035 {IMAGE} is held at SES2." in flags["message"].tolist()
