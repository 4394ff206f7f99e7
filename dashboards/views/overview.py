"""Overview: the selection's size, its open flags, data quality, and what changed."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboards import charts, components, queries
from dashboards.context import PageContext, current


def headline(context: PageContext) -> bool:
    """Show the selection's counts against the previous snapshot; return whether any."""
    reader, filters = context.reader, context.filters
    counts = reader.query(queries.headline_counts, filters)
    if counts["positions"] == 0:
        components.no_rows("positions", context.filters)
        return False
    previous = reader.query(queries.previous_snapshot, filters.snapshot_date)
    before = (reader.query(queries.headline_counts, replace(filters, snapshot_date=previous))
              if previous else None)
    shown = (("positions", "Positions"), ("executives", "Executive positions"),
             ("agencies", "Agencies"), ("executive_vacancies", "Executive vacancies"),
             ("unmapped_classifications", "Unmapped classifications"))
    for column, (key, label) in zip(st.columns(len(shown)), shown, strict=True):
        delta = counts[key] - before[key] if before else None
        column.metric(label, f"{counts[key]:,}", delta=delta, delta_color="off",
                      help=f"Change since {previous}" if previous else None)
    return True


def flags_at_a_glance(context: PageContext) -> None:
    """Show open flags by severity, and how many the exceptions register has settled."""
    st.subheader("Flags by severity")
    if not context.has("flags"):
        components.not_available("flags", "The flag summary")
        return
    counts = context.reader.query(queries.flag_counts, context.filters)
    if counts.select("open", "justified", "act").sum_horizontal().sum() == 0:
        st.success("No flags for this selection: every check passed, or the checks have not "
                   "run on this snapshot yet.", icon=":material/check_circle:")
        return
    columns = st.columns(3)
    for column, row in zip(columns, counts.iter_rows(named=True), strict=False):
        column.metric(f"Open · {row['severity']}", row["open"],
                      help=f"{row['justified']} justified, {row['act']} to act on")
    st.altair_chart(charts.flag_status_chart(counts))
    st.page_link("views/outliers.py", label="Review the flags on the Outliers page",
                 icon=":material/arrow_forward:")


def data_quality_at_a_glance(context: PageContext) -> None:
    """Show the warehouse's load and mapping counts (all snapshots, no filters)."""
    st.subheader("Data quality at a glance")
    glance = context.reader.query(queries.data_quality_glance)
    shown = (("files", "Files loaded"), ("rows_loaded", "Rows loaded"),
             ("rows_quarantined", "Rows quarantined"),
             ("unmapped_spellings", "Unmapped spellings"),
             ("executives_without_stream", "Executive rows without a stream"))
    for column, (key, label) in zip(st.columns(len(shown)), shown, strict=True):
        column.metric(label, f"{glance[key]:,}")
    st.caption(f"Whole warehouse: {glance['rows_read']:,} rows read. Details on the "
               "Data quality page.")


def changes(context: PageContext) -> None:
    """Show what changed among executive positions since the previous snapshot."""
    reader, filters = context.reader, context.filters
    previous = reader.query(queries.previous_snapshot, filters.snapshot_date)
    st.subheader("Changes since the previous snapshot")
    if previous is None:
        st.info(f"{filters.snapshot_date} is the first snapshot: there is nothing earlier to "
                "compare with.", icon=":material/info:")
        return
    changed = reader.query(queries.changes_since_previous, filters)
    st.caption(f"Executive positions, {previous} → {filters.snapshot_date}.")
    if changed.is_empty():
        st.success("No executive position was added, removed, reclassified, vacated, filled "
                   "or moved stream.", icon=":material/check_circle:")
        return
    summary = reader.query(queries.change_summary, filters)
    for column, row in zip(st.columns(max(summary.height, 1)), summary.iter_rows(named=True),
                           strict=False):
        column.metric(row["change"].capitalize(), row["count_positions"])
    components.table(changed)


def render(context: PageContext) -> None:
    """Draw the Overview page."""
    st.title("Overview")
    agency = context.filters.agency_code
    components.scope_caption(context.filters,
                             context.options.agency_label(agency) if agency else None)
    if headline(context):
        flags_at_a_glance(context)
        changes(context)
    data_quality_at_a_glance(context)


render(current())
