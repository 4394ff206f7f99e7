"""Dashboard charts: each builder's Vega-Lite spec encodes the rows it is given, as intended."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from dashboards import charts

TIERS = ("HEAD", "SES3", "SES2", "SES1")


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Return a chart's Vega-Lite dictionary."""
    return chart.to_dict()


def rows(specification: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the rows of a spec's only inline dataset."""
    (values,) = specification["datasets"].values()
    return values


def test_flag_status_chart_stacks_statuses_per_severity() -> None:
    counts = pl.DataFrame({"severity": ["high", "medium", "low"], "open": [2, 3, 0],
                           "justified": [0, 0, 1], "act": [0, 1, 0]})
    result = spec(charts.flag_status_chart(counts))
    assert result["mark"]["type"] == "bar"
    assert result["encoding"]["y"]["sort"] == ["high", "medium", "low"]
    assert result["encoding"]["color"]["scale"] == {
        "domain": ["open", "act", "justified"], "range": ["#c0392b", "#e67e22", "#95a5a6"]}
    data = {(row["severity"], row["status"]): row["count_flags"] for row in rows(result)}
    assert len(data) == 9
    assert data[("medium", "open")] == 3
    assert data[("medium", "act")] == 1
    assert data[("low", "justified")] == 1


def test_factor_profile_chart_orders_factors_and_fixes_the_scale() -> None:
    profile = pl.DataFrame({
        "factor": ["knowledge", "knowledge", "impact", "impact"],
        "series": ["this position", "band peers", "this position", "band peers"],
        "score": [4.0, 5.0, 3.0, 5.0], "peers": [1, 6, 1, 6]})
    names = {"knowledge": "Knowledge", "impact": "Impact"}
    result = spec(charts.factor_profile_chart(profile, names, (1, 7)))
    encoding = result["encoding"]
    assert result["mark"] == {"type": "line", "point": True}
    assert encoding["x"]["sort"] == ["Knowledge", "Impact"]
    assert encoding["y"]["scale"]["domain"] == [1, 7]
    assert {(row["factor_name"], row["series"], row["score"]) for row in rows(result)} == {
        ("Knowledge", "this position", 4.0), ("Knowledge", "band peers", 5.0),
        ("Impact", "this position", 3.0), ("Impact", "band peers", 5.0)}


def test_factor_profile_chart_has_one_legend_naming_the_three_lines() -> None:
    profile = pl.DataFrame({
        "factor": ["impact"] * 3,
        "series": ["band and stream peers", "this position", "band peers"],
        "score": [4.0, 3.0, 5.0], "peers": [3, 1, 6]})
    result = spec(charts.factor_profile_chart(profile, {"impact": "Impact"}, (1, 7)))
    color, dash = result["encoding"]["color"], result["encoding"]["strokeDash"]
    named = ["This position's score", "Median of the other positions of its band",
             "Median of those of its band and stream"]
    # colour and dash share the field, domain and legend: Vega-Lite draws one legend whose
    # symbols carry both, in this order, whatever the rows' order
    assert color["field"] == dash["field"] == "line"
    assert color["scale"]["domain"] == dash["scale"]["domain"] == named
    assert color["scale"]["range"] == ["#d7191c", "#2c7fb8", "#41ab5d"]
    assert dash["scale"]["range"] == [[1, 0], [6, 3], [2, 2]]
    assert color["legend"] == dash["legend"]
    assert color["legend"]["orient"] == "bottom" and color["legend"]["labelLimit"] == 0
    assert {row["series"]: row["line"] for row in rows(result)} == dict(
        zip(["this position", "band peers", "band and stream peers"], named, strict=True))


MIX = pl.DataFrame({
    "stream_code": ["all streams", "all streams", "policy", "policy", "delivery"],
    "tier": ["SES2", "SES1", "SES2", "SES1", "SES1"],
    "count_positions": [4, 6, 3, 1, 5],
    "share": [0.4, 0.6, 0.75, 0.25, 1.0]})


def test_band_mix_chart_normalises_each_stream() -> None:
    result = spec(charts.band_mix_chart(MIX, TIERS, {"policy": "Public Policy",
                                                     "delivery": "Delivery"}))
    encoding = result["encoding"]
    assert encoding["x"]["stack"] == "normalize"
    assert encoding["y"]["sort"] == ["All streams", "Public Policy", "Delivery"]
    assert encoding["color"]["scale"]["domain"] == list(TIERS)
    assert encoding["color"]["scale"]["range"][0] == charts.TIER_COLOURS["HEAD"]
    assert {row["stream"] for row in rows(result)} == {"All streams", "Public Policy",
                                                       "Delivery"}


def test_stream_vs_service_chart_keeps_the_stream_and_all_streams() -> None:
    result = spec(charts.stream_vs_service_chart(MIX, "policy", "Public Policy", TIERS))
    data = rows(result)
    assert {(row["series"], row["tier"], row["share"]) for row in data} == {
        ("All streams", "SES2", 0.4), ("All streams", "SES1", 0.6),
        ("Public Policy", "SES2", 0.75), ("Public Policy", "SES1", 0.25)}
    assert result["encoding"]["xOffset"]["sort"] == ["Public Policy", "All streams"]


def test_points_box_chart_draws_only_groups_that_are_not_suppressed() -> None:
    summary = pl.DataFrame({
        "group": ["APS DEPA", "APS DEPB"], "tier": ["SES1", "SES1"],
        "count_positions": [5, None], "min_points": [22.0, None], "q1_points": [24.0, None],
        "median_points": [27.0, None], "q3_points": [27.0, None], "max_points": [31.0, None]})
    ranges = pl.DataFrame({"tier": ["SES1"], "min_points": [21], "max_points": [35],
                           "is_published": [True]})
    result = spec(charts.points_box_chart(summary, ranges, TIERS, (8, 56)))
    assert result["facet"]["row"]["sort"] == ["SES1"]
    layers = result["spec"]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["bar", "rule", "bar", "tick"]
    assert layers[0]["encoding"]["x"]["scale"] == {"domain": [8, 56], "nice": False}
    (row,) = rows(result)
    assert (row["group"], row["band_min"], row["band_max"], row["median_points"]) == (
        "APS DEPA", 21, 35, 27.0)


def test_per_thousand_chart_leaves_out_suppressed_agencies() -> None:
    ratios = pl.DataFrame({"jurisdiction": ["APS", "APS"], "agency_code": ["DEPA", "DEPB"],
                           "total_fte": [17.0, 8.0], "count_executives": [10, None],
                           "executives_per_1000_fte": [588.2, None]})
    result = spec(charts.per_thousand_chart(ratios))
    assert [row["agency_code"] for row in rows(result)] == ["DEPA"]
    assert result["encoding"]["y"]["sort"] == "-x"


def test_span_of_control_chart_stacks_categories_in_order() -> None:
    spans = pl.DataFrame({"jurisdiction": ["APS"] * 3, "agency_code": ["DEPA"] * 3,
                          "span_category": ["1", "2-3", "4-7"],
                          "count_managers": [None, 6, 0]})
    categories = ["1", "2-3", "4-7", "8-12", "13-16", "17+"]
    result = spec(charts.span_of_control_chart(spans, categories))
    assert [row["span_category"] for row in rows(result)] == ["2-3"]
    assert result["encoding"]["color"]["scale"]["domain"] == categories
    assert "indexof" in result["transform"][0]["calculate"]


def test_band_pyramid_chart_centres_bars() -> None:
    pyramid = pl.DataFrame({"tier": ["HEAD", "SES1", "SES1"],
                            "occupancy": ["occupied", "occupied", "vacant"],
                            "rank": [50, 10, 10], "count_positions": [1, 8, 2]})
    result = spec(charts.band_pyramid_chart(pyramid, [*TIERS, "SUBSES"]))
    bars, values = result["layer"]
    assert bars["encoding"]["x"]["stack"] == "center"
    assert bars["encoding"]["y"]["sort"] == [*TIERS, "SUBSES"]
    assert bars["encoding"]["color"]["scale"]["domain"] == ["occupied", "vacant"]
    # each band's total written at its bar's right end: widest 10, so HEAD (1) ends at 5.5
    assert values["mark"]["type"] == "text" and values["encoding"]["text"]["field"] == "total"
    written = {row["tier"]: (row["total"], row["label_at"])
               for row in result["datasets"][values["data"]["name"]]}
    assert written == {"HEAD": (1, 5.5), "SES1": (10, 10.0)}


def test_tier_trend_chart_has_one_point_per_snapshot() -> None:
    trend = pl.DataFrame({"snapshot_date": ["2024-06-30", "2025-06-30"],
                          "tier": ["SES1", "SES1"], "rank": [10, 10],
                          "count_positions": [11, 10]}).with_columns(
        pl.col("snapshot_date").str.to_date())
    result = spec(charts.tier_trend_chart(trend, TIERS))
    assert result["encoding"]["x"]["field"] == "snapshot"
    assert [(row["snapshot"], row["count_positions"]) for row in rows(result)] == [
        ("2024-06-30", 11), ("2025-06-30", 10)]


def test_maturity_heatmap_writes_each_level_in_its_cell() -> None:
    matrix = pl.DataFrame({"jurisdiction": ["APS", "APS"], "agency_code": ["DEPA", "DEPA"],
                           "element": ["expectations", "assessment"],
                           "maturity_level": [2, 3]})
    result = spec(charts.maturity_heatmap(matrix, ["expectations", "assessment"], (1, 4)))
    cells, labels = result["layer"]
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["color"]["scale"]["domain"] == [1, 4]
    assert labels["mark"]["type"] == "text"
    assert labels["encoding"]["text"]["field"] == "maturity_level"


def test_rating_distribution_chart_leaves_out_suppressed_counts() -> None:
    ratings = pl.DataFrame({"dimension": ["overall_rating"] * 3,
                            "rating": ["developing", "effective", "outstanding"],
                            "count_ratings": [None, 8, None]})
    result = spec(charts.rating_distribution_chart(
        ratings, ["developing", "effective", "outstanding"], {"overall_rating": "Overall"}))
    assert [(row["dimension"], row["rating"], row["count_ratings"])
            for row in rows(result)] == [("Overall", "effective", 8)]
    assert result["encoding"]["x"]["sort"] == ["developing", "effective", "outstanding"]


def test_quarantine_chart_sums_rows_per_column() -> None:
    reasons = pl.DataFrame({"extract_kind": ["positions", "positions"],
                            "column": ["fte", "fte"], "reason": ["a", "b"],
                            "count_rows": [2, 3]})
    result = spec(charts.quarantine_chart(reasons))
    assert result["encoding"]["x"]["aggregate"] == "sum"
    assert result["encoding"]["x"]["field"] == "count_rows"


def test_reporting_tree_mermaid_draws_each_line_and_escapes_labels() -> None:
    tree = pl.DataFrame({
        "agency_code": ["X", "X", "X"],
        "position_id": ["P1", "P2", "P3"],
        "position_title": ['Head "of" <all>', "Deputy", None],
        "classification_code": ["HEAD", "SES3", None],
        "tier": ["HEAD", "SES3", None],
        "occupancy": ["occupied", "vacant", "acting"],
        "manager_position_id": [None, "P1", "P9"]})
    # the layout settings first (one line per position), then the flowchart
    assert charts.reporting_tree_mermaid(tree).splitlines() == [
        "---", "config:", "  flowchart:", "    wrappingWidth: 460", "---",
        "flowchart LR",
        '    n0["P1 · HEAD · Head #quot;of#quot; &lt;all&gt;"]',
        '    n1["P2 · SES3 · Deputy"]',
        '    n2["P3 · ? · "]',
        "    class n1 vacant",
        "    class n2 acting",
        "    n0 --> n1",
        "    classDef vacant stroke-dasharray: 5 5,stroke:#d7191c",
        "    classDef acting stroke:#fdae61,stroke-width:3px",
        "    classDef flagged stroke:#c0392b,stroke-width:4px,fill:#fdecea",
    ]


def test_reporting_tree_mermaid_marks_flagged_and_collapsed_positions() -> None:
    tree = pl.DataFrame({
        "position_id": ["P1", "P2"], "position_title": ["A" * 50, "Deputy"],
        "classification_code": ["HEAD", "SES3"], "occupancy": ["occupied", "occupied"],
        "manager_position_id": [None, "P1"], "is_flagged": [False, True],
        "not_drawn": [0, 7]})
    lines = charts.reporting_tree_mermaid(tree).splitlines()[5:]  # after the layout settings
    assert lines[1] == f'    n0["P1 · HEAD · {"A" * 23}…"]'  # cut to 24 characters
    assert lines[2] == '    n1["P2 · SES3 · Deputy (+7)"]'
    assert "    class n1 flagged" in lines
