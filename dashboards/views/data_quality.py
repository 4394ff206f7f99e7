"""Data quality: what was loaded, what was quarantined and why, and unmapped spellings."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, components, queries
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
    components.table(reader.query(queries.validation_results),
                     share_loaded=st.column_config.NumberColumn(format="percent"))
    st.subheader("Load audit")
    audit = reader.query(queries.load_audit)
    noted = audit.filter(pl.col("note").is_not_null() & pl.col("superseded_at").is_null())
    for row in noted.iter_rows(named=True):
        st.info(f"{components.plain(row['source_file'])}: {components.plain(row['note'])}.",
                icon=":material/draft:")
    components.table(audit)
    st.subheader("Quarantine")
    reasons = reader.query(queries.quarantine_reasons)
    if reasons.is_empty():
        st.success("No row was quarantined.", icon=":material/check_circle:")
    else:
        st.altair_chart(charts.quarantine_chart(reasons))
        components.table(reasons)
        with st.expander("Quarantined rows (first 500, the contract's columns only)"):
            components.table(reader.query(queries.quarantine_rows, 500))
    st.subheader("Unmapped classification spellings")
    unmapped = reader.query(queries.unmapped_spellings)
    if unmapped.is_empty():
        st.success("Every classification spelling maps to a code.",
                   icon=":material/check_circle:")
    else:
        st.caption("Rows loaded with no classification code: add a pattern to "
                   "data/classifications.toml and run `workvalue run` again.")
        components.table(unmapped)


render(current())
