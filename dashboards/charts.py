"""Charts: pure functions from a query's frame to an Altair chart (or a Mermaid diagram).

No function here reads the warehouse or Streamlit: each takes the rows to draw and returns a
spec, so the tests can check what a chart encodes without a browser. Suppressed counts arrive
as nulls and are not drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import polars as pl

SEVERITY_COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#7f8c8d"}
STATUS_COLOURS = {"open": "#c0392b", "act": "#e67e22", "justified": "#95a5a6"}
OCCUPANCY_COLOURS = {"occupied": "#2c7fb8", "acting": "#fdae61", "vacant": "#d7191c",
                     "not stated": "#bdbdbd"}
SERIES_COLOURS = {"this position": "#d7191c", "band peers": "#2c7fb8",
                  "band and stream peers": "#41ab5d"}
SERIES_DASHES = {"this position": [1, 0], "band peers": [6, 3], "band and stream peers": [2, 2]}
SERIES_LEGEND = {  # queries.factor_profile's series -> the legend's name of its line
    "this position": "This position's score",
    "band peers": "Median of the other positions of its band",
    "band and stream peers": "Median of those of its band and stream",
}
TIER_COLOURS = {"HEAD": "#0d0887", "SES4": "#6a00a8", "SES3": "#b12a90", "SES2": "#e16462",
                "SES1": "#fca636", "SUBSES": "#bdbdbd"}  # senior dark, junior light (plasma)
ROW_STEP = 26  # pixels per row of a chart with one bar per category
ALL_STREAMS = "all streams"
CHART_HEIGHT = 320
TITLE_CHARACTERS = 24  # a title in the reporting tree is cut to this many characters
TREE_LAYOUT = ("---\nconfig:\n  flowchart:\n    wrappingWidth: 460\n---")  # one line each


def _ordered(values: Sequence[str], preferred: Sequence[str]) -> list[str]:
    """Return the distinct values, those in ``preferred`` first in its order, then the rest."""
    present = list(dict.fromkeys(values))
    return [value for value in preferred if value in present] + [
        value for value in present if value not in preferred]


def _colour_scale(colours: Mapping[str, str], values: Sequence[str]) -> alt.Scale:
    """Return a colour scale giving each known value its fixed colour."""
    domain = _ordered(values, list(colours))
    return alt.Scale(domain=domain, range=[colours.get(value, "#636363") for value in domain])


def _tier_colour(field: str, tier_order: Sequence[str], title: str = "band") -> alt.Color:
    """Return a colour channel that shades bands from dark (senior) to light."""
    return alt.Color(f"{field}:N", title=title, sort=list(tier_order),
                     scale=_colour_scale(TIER_COLOURS, list(tier_order)))


def flag_status_chart(counts: pl.DataFrame) -> alt.Chart:
    """Return a stacked bar per severity of flags open, to act on, and justified.

    ``counts`` has severity and one count column per status (queries.flag_counts).
    """
    statuses = [column for column in counts.columns if column != "severity"]
    long = counts.unpivot(index="severity", on=statuses, variable_name="status",
                          value_name="count_flags")
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("severity:N", sort=list(SEVERITY_COLOURS), title=None),
        x=alt.X("count_flags:Q", title="flags"),
        color=alt.Color("status:N", scale=_colour_scale(STATUS_COLOURS, statuses),
                        title="review status"),
        tooltip=["severity", "status", "count_flags"],
    ).properties(height=alt.Step(ROW_STEP))


def factor_profile_chart(profile: pl.DataFrame, factor_names: Mapping[str, str],
                         score_range: tuple[int, int]) -> alt.Chart:
    """Return the position's factor scores as a line beside its peers' medians.

    ``profile`` has factor, series, score, peers (queries.factor_profile); ``factor_names``
    gives each factor column its display name, in factor order.
    """
    named = profile.with_columns(
        pl.col("factor").replace_strict(factor_names, default=pl.col("factor"))
        .alias("factor_name"),
        pl.col("series").replace_strict(SERIES_LEGEND, default=pl.col("series")).alias("line"))
    order = [factor_names.get(factor, factor) for factor in factor_names]
    series = [value for value in SERIES_LEGEND if value in named["series"].to_list()]
    lines = [SERIES_LEGEND[value] for value in series]
    legend = alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0,
                        symbolStrokeWidth=2, symbolSize=400, symbolType="stroke")
    return alt.Chart(named).mark_line(point=True).encode(
        x=alt.X("factor_name:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=-30, labelOverlap=False)),
        y=alt.Y("score:Q", scale=alt.Scale(domain=list(score_range)), title="score"),
        color=alt.Color("line:N", legend=legend, scale=alt.Scale(
            domain=lines, range=[SERIES_COLOURS[value] for value in series])),
        strokeDash=alt.StrokeDash("line:N", legend=legend, scale=alt.Scale(
            domain=lines, range=[SERIES_DASHES[value] for value in series])),
        tooltip=[alt.Tooltip("factor_name", title="factor"), alt.Tooltip("line", title="line"),
                 "score", "peers"],
    ).properties(height=CHART_HEIGHT)


def band_mix_chart(mix: pl.DataFrame, tier_order: Sequence[str],
                   stream_labels: Mapping[str, str]) -> alt.Chart:
    """Return one 100% stacked bar per stream (and all streams): each band's share."""
    labelled = mix.with_columns(
        pl.col("stream_code").replace_strict({**stream_labels, ALL_STREAMS: "All streams"},
                                             default=pl.col("stream_code")).alias("stream"))
    streams = _ordered(labelled["stream"].to_list(), ["All streams"])
    return alt.Chart(labelled).mark_bar().encode(
        y=alt.Y("stream:N", sort=streams, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"),
                title="share of the stream's executives"),
        color=_tier_colour("tier", tier_order),
        order=alt.Order("tier_rank:Q"),
        tooltip=["stream", "tier", "count_positions", alt.Tooltip("share:Q", format=".0%")],
    ).transform_calculate(
        tier_rank=f"indexof({list(tier_order)!r}, datum.tier)",
    ).properties(height=alt.Step(ROW_STEP))


def stream_vs_service_chart(mix: pl.DataFrame, stream_code: str, stream_label: str,
                            tier_order: Sequence[str]) -> alt.Chart:
    """Return grouped bars: each band's share in one stream beside its share in all streams."""
    chosen = mix.filter(pl.col("stream_code").is_in([stream_code, ALL_STREAMS])).with_columns(
        pl.when(pl.col("stream_code") == ALL_STREAMS).then(pl.lit("All streams"))
        .otherwise(pl.lit(stream_label)).alias("series"))
    return alt.Chart(chosen).mark_bar().encode(
        x=alt.X("tier:N", sort=list(tier_order), title="band", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=[stream_label, "All streams"]),
        y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of executives"),
        color=alt.Color("series:N", sort=[stream_label, "All streams"], title=None),
        tooltip=["series", "tier", "count_positions", alt.Tooltip("share:Q", format=".0%")],
    ).properties(height=CHART_HEIGHT)


def points_box_chart(summary: pl.DataFrame, ranges: pl.DataFrame, tier_order: Sequence[str],
                     points_range: tuple[int, int]) -> alt.FacetChart:
    """Return a box per group and band of factor points, over the band's points range.

    ``summary`` is queries.points_distribution (suppressed groups have null statistics and
    are left out); ``ranges`` is queries.band_ranges. One row of boxes per band. A boolean
    column is_chosen, if present, draws that group's box in red.
    """
    shown = summary.drop_nulls("median_points").join(
        ranges.select("tier", "min_points", "max_points").rename(
            {"min_points": "band_min", "max_points": "band_max"}), on="tier", how="left")
    base = alt.Chart().encode(y=alt.Y("group:N", title=None, axis=alt.Axis(labelLimit=0)))
    band = base.mark_bar(color="#e5f5e0", opacity=0.8, height=18).encode(
        x=alt.X("band_min:Q", title="factor points",
                scale=alt.Scale(domain=list(points_range), nice=False)),
        x2="band_max:Q", tooltip=["tier", "band_min", "band_max"])
    whisker = base.mark_rule(color="#636363").encode(x="min_points:Q", x2="max_points:Q")
    chosen = ("is_chosen" in shown.columns)  # a chosen agency, drawn in red beside the others
    box = base.mark_bar(height=12).encode(
        color=alt.condition("datum.is_chosen", alt.value("#d7191c"), alt.value("#6baed6"))
        if chosen else alt.value("#6baed6"),
        x="q1_points:Q", x2="q3_points:Q",
        tooltip=["group", "tier", "count_positions", "min_points", "q1_points",
                 "median_points", "q3_points", "max_points"])
    median = base.mark_tick(color="#08306b", thickness=2, size=14).encode(x="median_points:Q")
    tiers = [tier for tier in tier_order if tier in shown["tier"].to_list()]
    return alt.layer(band, whisker, box, median, data=shown).properties(
        width=560, height=alt.Step(ROW_STEP)).facet(
        row=alt.Row("tier:N", sort=tiers, title=None, header=alt.Header(labelAngle=0)),
    ).resolve_scale(y="independent")


def per_thousand_chart(ratios: pl.DataFrame) -> alt.Chart:
    """Return a bar per agency of executives per 1,000 FTE (suppressed ones left out)."""
    shown = ratios.drop_nulls("executives_per_1000_fte")
    return alt.Chart(shown).mark_bar(color="#2c7fb8").encode(
        y=alt.Y("agency_code:N", sort="-x", title=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X("executives_per_1000_fte:Q", title="executives per 1,000 FTE"),
        tooltip=["jurisdiction", "agency_code", "total_fte", "count_executives",
                 "executives_per_1000_fte"],
    ).properties(height=alt.Step(ROW_STEP))


def span_of_control_chart(spans: pl.DataFrame, categories: Sequence[str]) -> alt.Chart:
    """Return a stacked bar per agency: managers in each span-of-control category."""
    shown = spans.drop_nulls("count_managers").filter(pl.col("count_managers") > 0)
    return alt.Chart(shown).mark_bar().encode(
        y=alt.Y("agency_code:N", title=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X("count_managers:Q", title="managers"),
        color=alt.Color("span_category:N", sort=list(categories), title="direct reports",
                        scale=alt.Scale(domain=list(categories), scheme="blues")),
        order=alt.Order("category_rank:Q"),
        tooltip=["agency_code", "span_category", "count_managers"],
    ).transform_calculate(
        category_rank=f"indexof({list(categories)!r}, datum.span_category)",
    ).properties(height=alt.Step(ROW_STEP))


def band_pyramid_chart(pyramid: pl.DataFrame, tier_order: Sequence[str]) -> alt.LayerChart:
    """Return a centred bar per band (senior at the top), split by occupancy, its total written.

    The total sits at the bar's right end (a centred stack spans (widest - total) / 2 to
    (widest + total) / 2 on the axis).
    """
    pyramid = pyramid.drop_nulls("count_positions")
    occupancies = pyramid["occupancy"].to_list()
    totals = pyramid.group_by("tier").agg(pl.col("count_positions").sum().alias("total"))
    widest = totals["total"].max() or 0
    totals = totals.with_columns(((widest + pl.col("total")) / 2).alias("label_at"))
    y = alt.Y("tier:N", sort=list(tier_order), title=None)
    bars = alt.Chart(pyramid).mark_bar().encode(
        y=y, x=alt.X("count_positions:Q", stack="center", title="positions", axis=None),
        color=alt.Color("occupancy:N", scale=_colour_scale(OCCUPANCY_COLOURS, occupancies)),
        tooltip=["tier", "occupancy", "count_positions"],
    )
    values = alt.Chart(totals).mark_text(align="left", dx=4, fontSize=12).encode(
        y=y, x=alt.X("label_at:Q"), text=alt.Text("total:Q", format=","))
    return alt.layer(bars, values).properties(height=alt.Step(ROW_STEP + 10))


def agency_trend_chart(trend: pl.DataFrame) -> alt.Chart:
    """Return a line per agency of executive positions across snapshots (suppressed: not drawn)."""
    dated = trend.drop_nulls("count_positions").with_columns(
        pl.col("snapshot_date").cast(pl.String).alias("snapshot"))
    return alt.Chart(dated).mark_line(point=True).encode(
        x=alt.X("snapshot:O", title="snapshot", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count_positions:Q", title="executive positions"),
        color=alt.Color("agency_name:N", title="agency", legend=alt.Legend(labelLimit=0)),
        tooltip=["snapshot", "agency_name", "count_positions"],
    ).properties(height=CHART_HEIGHT)


def tier_trend_chart(trend: pl.DataFrame, tier_order: Sequence[str]) -> alt.Chart:
    """Return a line per band of executive positions across snapshots (one point each)."""
    dated = trend.drop_nulls("count_positions").with_columns(
        pl.col("snapshot_date").cast(pl.String).alias("snapshot"))
    return alt.Chart(dated).mark_line(point=True).encode(
        x=alt.X("snapshot:O", title="snapshot", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count_positions:Q", title="executive positions"),
        color=_tier_colour("tier", tier_order),
        tooltip=["snapshot", "tier", "count_positions"],
    ).properties(height=CHART_HEIGHT)


def maturity_heatmap(matrix: pl.DataFrame, elements: Sequence[str],
                     level_range: tuple[int, int]) -> alt.LayerChart:
    """Return an agency by element grid coloured by maturity level, with the level written in."""
    base = alt.Chart(matrix).encode(
        x=alt.X("element:N", sort=list(elements), title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=200)),
        y=alt.Y("agency_code:N", title=None, axis=alt.Axis(labelLimit=0)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("maturity_level:Q", title="maturity",
                        scale=alt.Scale(domain=list(level_range), scheme="greens")),
        tooltip=["jurisdiction", "agency_code", "element", "maturity_level"],
    )
    middle = (level_range[0] + level_range[1]) / 2
    labels = base.mark_text(fontSize=14).encode(
        text="maturity_level:Q",
        color=alt.condition(alt.datum.maturity_level > middle, alt.value("white"),
                            alt.value("black")))
    return (cells + labels).properties(height=alt.Step(ROW_STEP + 6))


def rating_distribution_chart(ratings: pl.DataFrame, scale: Sequence[str],
                              dimension_labels: Mapping[str, str]) -> alt.Chart:
    """Return grouped bars of SES ratings per rating, one colour per dimension."""
    labelled = ratings.drop_nulls("count_ratings").with_columns(
        pl.col("dimension").replace_strict(dimension_labels, default=pl.col("dimension")))
    order = list(dimension_labels.values())
    return alt.Chart(labelled).mark_bar().encode(
        x=alt.X("rating:N", sort=list(scale), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("dimension:N", sort=order),
        y=alt.Y("count_ratings:Q", title="SES rated"),
        color=alt.Color("dimension:N", sort=order, title=None),
        tooltip=["dimension", "rating", "count_ratings"],
    ).properties(height=CHART_HEIGHT)


def quarantine_chart(reasons: pl.DataFrame) -> alt.Chart:
    """Return a bar per extract kind and column of quarantined rows."""
    return alt.Chart(reasons).mark_bar().encode(
        y=alt.Y("column:N", sort="-x", title=None),
        x=alt.X("sum(count_rows):Q", title="rows quarantined"),
        color=alt.Color("extract_kind:N", title="extract"),
        tooltip=["extract_kind", "column", alt.Tooltip("sum(count_rows):Q", title="rows")],
    ).properties(height=alt.Step(ROW_STEP))


def _mermaid_escaped(column: pl.Expr) -> pl.Expr:
    """Return a text expression made safe inside a quoted Mermaid label."""
    for character, entity in (("&", "&amp;"), ('"', "#quot;"), ("<", "&lt;"), (">", "&gt;")):
        column = column.str.replace_all(character, entity, literal=True)
    return column


def reporting_tree_mermaid(tree: pl.DataFrame) -> str:
    """Return a Mermaid flowchart of executive positions, each under the one it reports to.

    ``tree`` is queries.executive_tree (or the part of it dashboards.tree.visible keeps);
    vacant positions are drawn dashed, acting ones outlined in orange, flagged ones (column
    is_flagged, if present) in thick red; a position with not_drawn > 0 says how many below it
    are not drawn, as "(+N)". One line per position (id, classification, title cut to
    TITLE_CHARACTERS, "(+N)": TREE_LAYOUT keeps it on one line), drawn left to right.
    """
    nodes = tree.with_row_index("index").with_columns(
        pl.format("n{}", "index").alias("node"),
        (pl.col("not_drawn") if "not_drawn" in tree.columns else pl.lit(0)).alias("hidden"),
        (pl.col("is_flagged") if "is_flagged" in tree.columns else pl.lit(False))
        .alias("flagged"))
    title = pl.col("position_title").fill_null("")
    title = pl.when(title.str.len_chars() > TITLE_CHARACTERS).then(
        title.str.slice(0, TITLE_CHARACTERS - 1) + "…").otherwise(title)
    below = pl.when(pl.col("hidden") > 0).then(pl.format(" (+{})", "hidden")).otherwise(
        pl.lit(""))
    labels = nodes.select(pl.format(
        '    {}["{} · {} · {}{}"]', "node",
        _mermaid_escaped(pl.col("position_id")),
        _mermaid_escaped(pl.col("classification_code").fill_null("?")),
        _mermaid_escaped(title), below).alias("line"))
    classes = nodes.filter(pl.col("occupancy").is_in(["vacant", "acting"])).select(
        pl.format("    class {} {}", "node", "occupancy").alias("line"))
    flagged = nodes.filter(pl.col("flagged")).select(
        pl.format("    class {} flagged", "node").alias("line"))
    managers = nodes.select(pl.col("position_id").alias("manager_position_id"),
                            pl.col("node").alias("manager_node"))
    edges = nodes.join(managers, on="manager_position_id", how="inner").select(
        pl.format("    {} --> {}", "manager_node", "node").alias("line"))
    lines = pl.concat([labels, classes, flagged, edges])["line"].to_list()
    return "\n".join([TREE_LAYOUT, "flowchart LR", *lines,
                      "    classDef vacant stroke-dasharray: 5 5,stroke:#d7191c",
                      "    classDef acting stroke:#fdae61,stroke-width:3px",
                      "    classDef flagged stroke:#c0392b,stroke-width:4px,fill:#fdecea"])
