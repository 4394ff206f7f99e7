"""SES structure: the band pyramid, layers, an agency's reporting tree, vacancies, the trend."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, components, queries
from dashboards.context import PageContext, current
from pipeline.privacy import SUPPRESSED_FLAG

STRUCTURE_TIERS = ("SUBSES",)  # the grade below the executive, drawn under the pyramid


def reporting_tree(context: PageContext) -> None:
    """Draw the chosen agency's executive reporting tree."""
    if context.filters.agency_code is None:
        st.info("Choose an agency in the sidebar to draw its executive reporting tree.",
                icon=":material/account_tree:")
        return
    tree = context.reader.query(queries.executive_tree, context.filters)
    if tree.is_empty():
        components.no_rows("executive positions")
        return
    st.mermaid_chart(charts.reporting_tree_mermaid(tree))
    st.caption("Dashed outline: vacant; orange outline: acting. A position whose manager is "
               "not an executive position starts its own branch.")


def layers(context: PageContext) -> None:
    """Show each agency's layers and executive vacancies (agency_structure mart)."""
    if not context.has("agency_structure"):
        components.not_available("agency_structure", "Layers")
        return
    st.caption("Layers: positions on the longest reporting line from the top (executive "
               "layers: executive positions on it). Agencies are compared, so counts under 5 "
               "are suppressed.")
    structure = context.reader.query(queries.agency_structure, context.filters)
    components.suppressed_table(structure.select(
        "jurisdiction", "agency_code", "count_layers", "count_executive_layers",
        "count_executives", "count_vacant_executives", SUPPRESSED_FLAG))


def render(context: PageContext) -> None:
    """Draw the SES structure page."""
    st.title("SES structure")
    reader, filters = context.reader, context.filters
    agency = filters.agency_code
    components.scope_caption(filters, context.options.agency_label(agency) if agency else None)
    pyramid = reader.query(queries.band_pyramid, filters)
    if pyramid.is_empty():
        components.no_rows("executive positions")
        return
    left, right = st.columns(2)
    with left:
        st.subheader("Band pyramid")
        components.ignored_filters(filters, ("tier",), "the pyramid shows every band")
        st.altair_chart(charts.band_pyramid_chart(
            pyramid, [*context.options.tiers, *STRUCTURE_TIERS]))
    with right:
        st.subheader("Layers and vacancies by agency")
        layers(context)
    st.subheader("Executive reporting tree")
    reporting_tree(context)
    st.subheader("Vacant and acting executive positions")
    vacancies = reader.query(queries.executive_vacancies, filters)
    if vacancies.is_empty():
        st.success("Every executive position in the selection is occupied.",
                   icon=":material/check_circle:")
    else:
        st.dataframe(vacancies, hide_index=True)
    st.subheader("Trend across snapshots")
    components.ignored_filters(filters, ("snapshot_date",), "the trend shows every snapshot")
    st.altair_chart(charts.tier_trend_chart(reader.query(queries.tier_trend, filters),
                                            context.options.tiers))


render(current())
