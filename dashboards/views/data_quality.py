"""Data quality: what was loaded, what was quarantined and why, and unmapped spellings."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, queries
from dashboards.context import PageContext, current


def render(context: PageContext) -> None:
    """Draw the Data quality page (the whole warehouse: the filters do not apply)."""
    reader = context.reader
    st.title("Data quality")
    if context.agency is None:
        st.caption("The whole warehouse, every snapshot: the sidebar filters do not apply "
                   "here.")
    else:
        st.caption("This agency's rows only, every snapshot: a file's counts are its rows of "
                   "this agency, and a quarantined row whose agency cannot be read is not "
                   "shown. The sidebar filters do not apply here.")
    st.subheader("Validation results by extract")
    st.caption("Rows read = rows loaded + rows quarantined, for every file (reconciles).")
    st.dataframe(reader.query(queries.validation_results), hide_index=True, column_config={
        "share_loaded": st.column_config.NumberColumn(format="percent")})
    st.subheader("Load audit")
    st.dataframe(reader.query(queries.load_audit), hide_index=True)
    st.subheader("Quarantine")
    reasons = reader.query(queries.quarantine_reasons)
    if reasons.is_empty():
        st.success("No row was quarantined.", icon=":material/check_circle:")
    else:
        st.altair_chart(charts.quarantine_chart(reasons))
        st.dataframe(reasons, hide_index=True)
        with st.expander("Quarantined rows (first 500)"):
            st.dataframe(reader.query(queries.quarantine_rows, 500), hide_index=True)
    st.subheader("Unmapped classification spellings")
    unmapped = reader.query(queries.unmapped_spellings)
    if unmapped.is_empty():
        st.success("Every classification spelling maps to a code.",
                   icon=":material/check_circle:")
    else:
        st.caption("Rows loaded with no classification code: add a pattern to "
                   "data/classifications.toml and run `workvalue run` again.")
        st.dataframe(unmapped, hide_index=True)


render(current())
