"""Cross-agency comparability: points per band by agency, drift, ratios, spans, jurisdictions."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboards import charts, components, labels, queries, scope
from dashboards.context import PageContext, current
from pipeline import frameworks
from pipeline.privacy import SUPPRESSED_FLAG

PEER_LEGEND = (f'"{scope.PEER_GROUP}": every other agency\'s scored positions of the band, '
               "of every jurisdiction, drawn without its lowest and highest value and only "
               f"where at least {scope.PEER_MIN_POSITIONS} positions of at least "
               f"{scope.PEER_MIN_AGENCIES} agencies stand behind it. No other agency is named.")
SMALL_AGENCIES_NAMED = 12  # agencies left out for size named in the caption; the rest counted
COMBINED_LEGEND = (
    f'"{queries.SMALL_AGENCIES_GROUP}": the agencies with fewer than '
    f"{scope.PEER_MIN_POSITIONS} scored positions in a band, combined, drawn without its "
    f"lowest and highest value and only where at least {scope.PEER_MIN_POSITIONS} positions of "
    f"at least {scope.PEER_MIN_AGENCIES} agencies stand behind it; fewer are not drawn.")
BOX_LEGEND = ("Box: the middle half of the group's positions; line: lowest to highest; dark "
              "tick: median; green: the band's points range.")


def points_range() -> tuple[int, int]:
    """Return the lowest and highest total the eight factors can sum to (8 to 56)."""
    tool = frameworks.work_value_tool()
    return len(tool.factors) * tool.scale_minimum, len(tool.factors) * tool.scale_maximum


def chosen_group(context: PageContext) -> str | None:
    """Return the chosen agency's group label ("JUR CODE"), or None when none is chosen."""
    agency = context.filters.agency_code
    groups = [f"{item.jurisdiction} {item.agency_code}" for item in context.options.agencies
              if item.agency_code == agency and context.filters.jurisdiction in (
                  None, item.jurisdiction)]
    return groups[0] if groups else None


def points_by(context: PageContext, group_by: str) -> None:
    """Show the points distribution per band, by agency or by jurisdiction.

    By agency, agencies with fewer than 5 positions in a band are combined (queries'
    points_distribution); a chosen agency is drawn in red against every other agency. On a
    dashboard scoped to one agency, the agency is drawn beside every other agency combined
    (anonymised: see dashboards/scope.py), never beside another agency.
    """
    chosen = chosen_group(context) if group_by == "agency" else None
    if chosen is not None and context.agency is None:  # the agency against every other one
        every = replace(context.filters, jurisdiction=None, agency_code=None)
        summary = context.reader.query(queries.points_distribution, every, group_by, chosen)
        st.caption(f"{components.plain(chosen)} in red, against every other agency.")
    else:
        summary = context.reader.query(queries.points_distribution, context.filters, group_by,
                                       chosen)
    if group_by == "agency" and context.agency is None:
        st.caption(COMBINED_LEGEND)
    if context.agency is not None and not summary.is_empty():
        peers = context.reader.query(queries.peer_points_distribution, context.filters,
                                     scope.PEER_GROUP)
        summary = pl.concat([summary, peers.with_columns(pl.lit(False).alias(SUPPRESSED_FLAG))],
                            how="diagonal_relaxed")
        st.caption(PEER_LEGEND)
    if summary.is_empty():
        components.no_rows("scored executive positions", context.filters)
        return
    shown = summary
    ranges = context.reader.query(queries.band_ranges)
    if shown["median_points"].is_null().all():
        st.caption("Every group has fewer than 5 scored positions: nothing to draw.")
    else:
        st.altair_chart(charts.points_box_chart(shown, ranges, context.options.tiers,
                                                points_range()))
        st.caption(BOX_LEGEND)
    with st.expander("Table"):
        components.suppressed_table(shown)


def drift_flags(context: PageContext) -> None:
    """Show the agency_band_drift flags of the selection."""
    if not context.has("flags"):
        components.not_available("flags", "Agency drift flags")
        return
    drift = context.reader.query(queries.flag_list, context.filters, (), ("agency_band_drift",))
    if drift.is_empty():
        st.success("No agency band drift flagged for this selection.",
                   icon=":material/check_circle:")
        return
    components.table(drift.select("severity", "jurisdiction", "agency_code", "classification",
                                  "message", "status"))


def left_out_for_size(structure: pl.DataFrame, min_fte: float) -> str | None:
    """Return the caption naming the agencies with no ratio for their size, or None."""
    small = structure.filter(pl.col("is_below_min_fte")).sort("total_fte")
    if small.is_empty():
        return None
    named = [f"{components.plain(row['agency_code'])} ({row['total_fte']:,.0f} FTE)"
             for row in small.head(SMALL_AGENCIES_NAMED).iter_rows(named=True)]
    more = small.height - len(named)
    listed = ", ".join(named) + (f" and {more:,} more (in the table)" if more else "")
    return (f"No ratio for an agency under {min_fte:,.0f} FTE (`ratio_min_fte`, "
            f"`data/structure.toml`): one executive more or less moves a small agency's ratio "
            f"by tens. Left out for size: "
            f"{labels.count_phrase(small.height, 'agency', 'agencies')}, {listed}.")


def executive_ratio(structure: pl.DataFrame) -> None:
    """Show executives per 1,000 FTE by agency (agency_structure mart), small agencies named."""
    shown = structure.select("jurisdiction", "agency_code", "total_fte", "count_executives",
                             "executives_per_1000_fte", SUPPRESSED_FLAG)
    if not shown["executives_per_1000_fte"].is_null().all():
        st.altair_chart(charts.per_thousand_chart(shown))
    left_out = left_out_for_size(structure, queries.ratio_min_fte())
    if left_out:
        st.caption(left_out)
    components.suppressed_table(shown, total_fte=st.column_config.NumberColumn(format="%.0f"))


def span_of_control(context: PageContext) -> None:
    """Show managers by number of direct reports, per agency (agency_structure mart)."""
    spans = context.reader.query(queries.span_of_control, context.filters)
    shown = spans
    if not shown["count_managers"].is_null().all():
        st.altair_chart(charts.span_of_control_chart(
            shown, list(queries.SPAN_CATEGORIES.values())))
    components.suppressed_table(shown)


def workforce_shape(context: PageContext) -> None:
    """Show executive ratios and spans of control side by side."""
    if not context.has("agency_structure"):
        components.not_available("agency_structure", "Executive ratios and spans of control")
        return
    structure = context.reader.query(queries.agency_structure, context.filters,
                                     queries.ratio_min_fte())
    if structure.is_empty():
        components.no_rows("agencies", context.filters)
        return
    components.ignored_filters(context.filters, ("stream_code", "tier"),
                               "ratios and spans describe the whole workforce")
    left, right = st.columns(2)
    with left:
        st.subheader("Executives per 1,000 FTE")
        executive_ratio(structure)
    with right:
        st.subheader("Span of control")
        st.caption("Managers (positions with direct reports, assistants left out) by how "
                   "many positions report to them directly.")
        span_of_control(context)


def render(context: PageContext) -> None:
    """Draw the Cross-agency comparability page."""
    st.title("Cross-agency comparability")
    components.scope_caption(context.filters)
    st.subheader("Factor points per band, by agency")
    if context.has("position_scores", "int_points_bands"):
        points_by(context, "agency")
    else:
        components.not_available("position_scores", "The points distribution")
    st.subheader("Agency band drift")
    drift_flags(context)
    workforce_shape(context)
    st.subheader("Across jurisdictions, through the crosswalk tier")
    if context.agency is not None:
        st.info("Not shown on a dashboard scoped to one agency: a jurisdiction's spread "
                "would show other agencies' positions.", icon=":material/lock:")
        return
    st.warning("Jurisdictions are compared through the project's crosswalk "
               "(data/crosswalk.toml), which is an assumption, not a published equivalence.",
               icon=":material/warning:")
    with st.expander("The crosswalk's stated assumption"):
        st.code(queries.crosswalk_assumption(), language=None)
    if context.has("position_scores", "int_points_bands"):
        points_by(context, "jurisdiction")


render(current())
