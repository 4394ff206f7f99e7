"""Figures: the report's charts, each the dashboard's own Altair spec rendered to SVG.

Every chart is built by dashboards/charts.py from the same frames the dashboard draws, then
rendered to SVG by vl-convert (on this machine, no browser, no request outside it), so a report
and the dashboard never disagree. A figure with nothing to draw is None.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import altair as alt
import polars as pl
import vl_convert

from dashboards import charts, queries
from pipeline import frameworks

DIMENSION_LABELS = {"outcomes_rating": "Outcomes", "behaviours_rating": "Behaviours",
                    "overall_rating": "Overall"}  # as the dashboard's performance page
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.removeprefix("v").split(".")[:2])  # altair's
BELOW_EXECUTIVE = ("SUBSES",)  # the grade below the executive, drawn under the pyramid
PAGE_WIDTH = 480  # pixels: the dashboard's charts fill their column; on a page they get this


def svg(chart: alt.TopLevelMixin) -> str:
    """Return a chart rendered to SVG text, a page wide where the dashboard fills its column."""
    if isinstance(chart, alt.Chart | alt.LayerChart) and chart.width is alt.Undefined:
        chart = chart.properties(width=PAGE_WIDTH)
    return vl_convert.vegalite_to_svg(chart.to_json(), vl_version=VEGA_LITE_VERSION)


def data_uri(svg_text: str) -> str:
    """Return an SVG as a data URI, to be shown as an image (its text cannot reach the page)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode()).decode()


def points_range() -> tuple[int, int]:
    """Return the lowest and highest total the work value factors can sum to."""
    tool = frameworks.work_value_tool()
    return len(tool.factors) * tool.scale_minimum, len(tool.factors) * tool.scale_maximum


def points(summary: pl.DataFrame, ranges: pl.DataFrame, tiers: Sequence[str]) -> str | None:
    """Return the points-per-band boxes over each band's range, or None if all are suppressed."""
    if summary.is_empty() or summary["median_points"].is_null().all():
        return None
    return svg(charts.points_box_chart(summary, ranges, tiers, points_range()))


def pyramid(frame: pl.DataFrame, tiers: Sequence[str]) -> str | None:
    """Return the band pyramid by occupancy, or None without positions."""
    if frame.is_empty():
        return None
    return svg(charts.band_pyramid_chart(frame, [*tiers, *BELOW_EXECUTIVE]))


def trend(frame: pl.DataFrame, tiers: Sequence[str]) -> str | None:
    """Return executives per band across snapshots, or None with fewer than two snapshots."""
    if frame.is_empty() or frame["snapshot_date"].n_unique() < 2:
        return None
    return svg(charts.tier_trend_chart(frame, tiers))


def ratios(structure: pl.DataFrame) -> str | None:
    """Return executives per 1,000 FTE by agency (commission-wide), or None if none is shown."""
    if structure.is_empty() or structure["executives_per_1000_fte"].is_null().all():
        return None
    return svg(charts.per_thousand_chart(structure))


def spans(frame: pl.DataFrame) -> str | None:
    """Return managers per span category by agency (commission-wide), or None if none."""
    if frame.is_empty() or frame["count_managers"].is_null().all():
        return None
    return svg(charts.span_of_control_chart(frame, list(queries.SPAN_CATEGORIES.values())))


def maturity(matrix: pl.DataFrame) -> str | None:
    """Return the agency by element maturity heatmap (commission-wide), or None if empty."""
    if matrix.is_empty():
        return None
    levels = frameworks.load_framework(frameworks.PLF_FRAMEWORK_ID).maturity_levels
    return svg(charts.maturity_heatmap(matrix, frameworks.maturity_elements(),
                                       (min(level.level for level in levels),
                                        max(level.level for level in levels))))


def ratings(frame: pl.DataFrame) -> str | None:
    """Return SES rated per rating and dimension, or None when every count is suppressed."""
    if frame.is_empty() or frame["count_ratings"].is_null().all():
        return None
    return svg(charts.rating_distribution_chart(
        frame.select("dimension", "rating", "count_ratings"), frameworks.rating_scale(),
        DIMENSION_LABELS))


def finding_status(counts: pl.DataFrame) -> str | None:
    """Return findings per severity by review status, or None without findings."""
    statuses = [column for column in counts.columns if column != "severity"]
    if counts.is_empty() or not counts.select(statuses).sum_horizontal().sum():
        return None
    return svg(charts.flag_status_chart(counts))
