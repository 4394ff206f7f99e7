"""SES structure: the band pyramid, layers, an agency's reporting tree, vacancies, the trend."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, components, labels, queries, tree
from dashboards.context import PageContext, current
from pipeline.privacy import SUPPRESSED_FLAG

STRUCTURE_TIERS = ("SUBSES",)  # the grade below the executive, drawn under the pyramid
NOTES_HEIGHT_PX = 1_200  # the structure notes scroll inside a box of this height
NOTES_SHOWN = 200  # at most this many notes listed; the rest counted
PYRAMID_LEGEND = ("Positions per band, the total written beside each bar. SUBSES: the grade "
                  "just below the senior executive, as data/crosswalk.toml maps each "
                  "jurisdiction's grades, drawn for scale. A published junior row that "
                  "stands for several posts counts as its FTE, not as one position.")


def structure_notes(context: PageContext) -> None:
    """List the selection's structure notes (span of one, stretched report), or say none."""
    st.markdown("**Structure notes**")
    if not context.has("flags"):
        components.not_available("flags", "Structure notes")
        return
    notes = context.reader.query(queries.flag_list, context.filters, (),
                                 queries.STRUCTURE_RULES)
    if notes.is_empty():
        st.caption("No structure notes for this selection: no executive with a span of one, "
                   "no report across a band its agency holds.")
        return
    plain = components.plain
    st.caption(f"{labels.count_phrase(notes.height, 'note')}, low severity: observations on "
               "the structure's shape, not findings on a classification"
               + (f"; the first {NOTES_SHOWN} listed" if notes.height > NOTES_SHOWN else "")
               + ".")
    with st.container(height=min(NOTES_HEIGHT_PX, 140 * notes.height + 40)):
        for note in notes.head(NOTES_SHOWN).iter_rows(named=True):
            st.markdown(f"**{plain(note['agency_code'])} {plain(note['position_id'])}** · "
                        f"{plain(note['rule_name'])}  \n{plain(note['message'])}")


def reporting_tree(context: PageContext) -> None:
    """Draw part of the chosen agency's executive reporting tree: from a root, a few levels."""
    if context.filters.agency_code is None:
        st.info("Choose an agency in the sidebar to draw its executive reporting tree.",
                icon=":material/account_tree:")
        return
    executives = context.reader.query(queries.executive_tree, context.filters)
    if executives.is_empty():
        st.info(f"{components.plain(context.filters.agency_code)} has no executive position "
                f"in the snapshot {context.filters.snapshot_date}.", icon=":material/info:")
        return
    rows = {row["position_id"]: row for row in executives.iter_rows(named=True)}
    left, right = st.columns([3, 1])
    root = left.selectbox(
        "Start from a position (type to search by id or title)", list(rows), index=None,
        key="structure_tree_root", placeholder="The top of the tree",
        format_func=lambda key: (f"{key} · {rows[key]['classification_code'] or '?'} · "
                                 f"{rows[key]['position_title'] or ''}"
                                 + (" · flagged" if rows[key]["count_flags"] else "")))
    depth = right.slider("Levels below", 1, 4, tree.DEFAULT_DEPTH, key="structure_tree_depth")
    shown = tree.visible(executives, root, depth)
    st.mermaid_chart(charts.reporting_tree_mermaid(shown), width="content")
    hidden = int(shown["not_drawn"].sum())
    st.caption(f"{labels.count_phrase(shown.height, 'position')} of "
               f"{labels.count_phrase(executives.height, 'executive position')} drawn"
               + (f"; “(+N)”: N positions below it not drawn ({hidden:,} in all): start from "
                  "one of them, or draw more levels" if hidden else "")
               + ". Red: flagged (a finding; structure notes are listed beside the tree); "
               "dashed outline: vacant; orange outline: acting. A position whose manager is "
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
        components.no_rows("executive positions", context.filters)
        return
    left, right = st.columns(2)
    with left:
        st.subheader("Band pyramid")
        components.ignored_filters(filters, ("tier",), "the pyramid shows every band")
        st.altair_chart(charts.band_pyramid_chart(
            pyramid, [*context.options.tiers, *STRUCTURE_TIERS]))
        st.caption(PYRAMID_LEGEND)
    with right:
        st.subheader("Layers and vacancies by agency")
        layers(context)
    st.subheader("Executive reporting tree")
    tree_column, notes_column = st.columns([4, 1])
    with tree_column:
        reporting_tree(context)
    with notes_column:
        structure_notes(context)
    st.subheader("Vacant and acting executive positions")
    vacancies = reader.query(queries.executive_vacancies, filters)
    if vacancies.is_empty():
        st.success("Every executive position in the selection is occupied.",
                   icon=":material/check_circle:")
    else:
        components.table(vacancies)
    st.subheader("Trend across snapshots")
    components.ignored_filters(filters, ("snapshot_date",), "the trend shows every snapshot")
    st.altair_chart(charts.tier_trend_chart(reader.query(queries.tier_trend, filters),
                                            context.options.tiers))
    st.markdown("**Executive positions per agency**")
    by_agency = reader.query(queries.agency_trend, filters)
    if by_agency["count_positions"].is_null().all():
        st.caption("Every agency has fewer than 5 executive positions in each snapshot: "
                   "nothing to draw.")
    else:
        st.altair_chart(charts.agency_trend_chart(by_agency))
    with st.expander("Table"):
        components.suppressed_table(by_agency)


render(current())
