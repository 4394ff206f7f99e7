"""Performance framework: maturity by agency and element, and SES rating distributions."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboards import charts, components, queries
from dashboards.context import PageContext, current
from pipeline import frameworks

DIMENSION_LABELS = {"outcomes_rating": "Outcomes", "behaviours_rating": "Behaviours",
                    "overall_rating": "Overall"}
NOT_APPLIED = ("snapshot_date", "stream_code", "tier")
NOT_APPLIED_WHY = "assessments and ratings are by year or cycle and agency"


def _pick(options: list[Any], label: str, key: str, what: str, prefix: str) -> Any | None:
    """Return the year or cycle chosen, or None (saying which extract to load) if none is loaded."""
    if not options:
        st.info(f"No {what} loaded: load a `{prefix}*` extract with `workvalue run`.",
                icon=":material/info:")
        return None
    return st.selectbox(label, options, key=key)


def maturity(context: PageContext) -> None:
    """Show the maturity heatmap of a chosen year."""
    st.subheader("Maturity by agency and element")
    year = _pick(context.reader.query(queries.maturity_years), "Assessment year",
                 "performance_year", "maturity assessments", "maturity")
    if year is None:
        return
    matrix = context.reader.query(queries.maturity_matrix, context.filters, year)
    if matrix.is_empty():
        components.no_rows("maturity assessments", context.filters)
        return
    levels = frameworks.load_framework(frameworks.PLF_FRAMEWORK_ID).maturity_levels
    st.altair_chart(charts.maturity_heatmap(
        matrix, frameworks.maturity_elements(),
        (min(level.level for level in levels), max(level.level for level in levels))))
    st.caption(" · ".join(f"{level.level} {level.name}" for level in levels))


def ratings(context: PageContext) -> None:
    """Show the rating distribution of a chosen cycle, small counts suppressed."""
    st.subheader("SES performance ratings")
    cycle = _pick(context.reader.query(queries.rating_cycles), "Performance cycle",
                  "performance_cycle", "performance ratings", "performance")
    if cycle is None:
        return
    distribution = context.reader.query(queries.rating_distribution, context.filters, cycle)
    if distribution["count_ratings"].fill_null(0).sum() == 0 and not distribution[
            "is_suppressed"].any():
        components.no_rows("ratings", context.filters)
        return
    st.altair_chart(charts.rating_distribution_chart(
        distribution, frameworks.rating_scale(), DIMENSION_LABELS))
    components.suppressed_table(distribution)
    st.markdown("**Overall rating by agency**")
    by_agency = context.reader.query(queries.overall_rating_by_agency, context.filters, cycle)
    components.suppressed_table(by_agency)


def render(context: PageContext) -> None:
    """Draw the Performance framework page."""
    st.title("Performance framework")
    st.caption("APS SES Performance Leadership Framework: agencies' maturity, and the "
               "ratings given to SES employees (counts under 5 suppressed).")
    components.ignored_filters(context.filters, NOT_APPLIED, NOT_APPLIED_WHY)
    maturity(context)
    ratings(context)


render(current())
