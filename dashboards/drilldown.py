"""The drill-down: one position's values, scores, chain and history; a flag's evidence and review.

Drawn by the Outliers page for a flag picked from the list (a click on its row, or the picker)
or for a position found by search, flagged or not.
"""

from __future__ import annotations

from typing import Any

import duckdb
import streamlit as st

from dashboards import charts, components, labels, queries, scope
from dashboards.context import PageContext
from pipeline import frameworks
from pipeline.errors import ReviewError, WarehouseError
from pipeline.review import Decision, record_review

SAVED_KEY = "outliers_review_saved"
DECISIONS = {"justified": "Justified: the classification stands, with this reason",
             "act": "Act: the agency is to fix the classification or its record"}


def evidence(flag: dict[str, Any]) -> None:
    """Show a flag's whole message and its evidence as a labelled table (JSON behind it)."""
    plain = components.plain
    st.markdown(f"**{flag['severity'].capitalize()} · {plain(flag['rule_name'])}** "
                f"({plain(flag['rule_id'])}) · {plain(flag['message'])}")
    components.table(labels.evidence_table(flag["evidence"]))
    with st.expander("Evidence as recorded (JSON)"):
        st.json(flag["evidence"] or "{}")


def score_metrics(score: dict[str, Any]) -> None:
    """Show the position's points against its band's range."""
    if not score or score.get("total_points") is None:
        st.info("This position has no scored determination (all eight factors) as at the "
                "snapshot.", icon=":material/info:")
        return
    columns = st.columns(5)
    columns[0].metric("Held band", score["tier"])
    columns[1].metric("Factor points", score["total_points"])
    columns[2].metric("Held band's range",
                      f"{score['held_min_points']} to {score['held_max_points']}"
                      if score["held_min_points"] is not None else "none")
    columns[3].metric("Points indicate", score["indicated_tier"] or "none")
    columns[4].metric("Points from a band edge", score["points_from_boundary"],
                      help="Borderline" if score["is_borderline"] else None)
    if score.get("drivers"):
        st.caption("Factors furthest from the held band's typical score: "
                   f"{components.plain(score['drivers'])}.")


def position_drill_down(context: PageContext, flag: dict[str, Any]) -> None:
    """Show the flagged position: values, factor profile, reporting chain, determinations."""
    reader = context.reader
    key = (flag["snapshot_date"], flag["jurisdiction"], flag["agency_code"], flag["position_id"])
    detail = reader.query(queries.position_detail, *key)
    if not detail:
        st.warning(f"Position {components.plain(flag['position_id'])} is not in the "
                   f"{flag['snapshot_date']} extract.")
        return
    plain = components.plain
    st.markdown(f"#### {plain(detail['position_id'])} · {plain(detail['position_title'])}")
    st.caption(f"{plain(detail['classification'])} "
               f"({plain(detail['classification_code'] or 'unmapped')}) · "
               f"stream {plain(detail['stream_code'] or 'not stated')} · "
               f"{plain(detail['occupancy'])} · {detail['direct_reports']} direct reports · "
               f"staff {detail['staff_managed'] or 0:,.0f} · budget "
               f"{plain('$' + format(detail['budget_managed'] or 0, ',.0f'))}")
    if context.has("position_scores"):
        score_metrics(reader.query(queries.position_score, *key))
        profile = reader.query(queries.factor_profile, *key)
        if profile.is_empty():
            st.caption("No factor profile: the position has no scored determination.")
        else:
            tool = frameworks.work_value_tool()
            names = {factor.column: factor.name for factor in tool.factors}
            st.altair_chart(charts.factor_profile_chart(
                profile, names, (tool.scale_minimum, tool.scale_maximum)))
            if context.agency is not None:
                st.caption("Peers are this agency's own positions of the band: the dashboard "
                           "is scoped to one agency.")
    else:
        components.not_available("position_scores", "The factor profile")
    left, right = st.columns(2)
    with left:
        st.markdown("**Reporting chain** (top first)")
        components.table(reader.query(queries.reporting_chain, *key))
    with right:
        st.markdown("**Determination history** (latest first)")
        history = reader.query(queries.determination_history, *key[1:])
        if history.is_empty():
            st.caption("No determination on record.")
        else:
            components.table(history)
    if context.has("factor_evidence"):
        evidence = reader.query(queries.factor_evidence, *key)
        if not evidence.is_empty():
            st.markdown("**Factor scores against the evidence** (calibrated expectation)")
            components.table(evidence)


def save_review(context: PageContext, flag_key: str, decision: str, note: str,
                reviewer: str) -> str | None:
    """Record a review in the warehouse; return why it could not be, or None when saved."""
    if not note.strip() or not reviewer.strip():
        return "A review needs a note and a reviewer ID."
    def record(connection: duckdb.DuckDBPyConnection) -> str:
        """Return the key of the flag reviewed, refusing a flag of another agency."""
        if context.agency is not None:
            scope.check_flag(connection, flag_key, context.agency)
        return record_review(connection, flag_key, Decision(decision), note, reviewer)

    try:
        context.reader.write(record)
    except (ReviewError, WarehouseError) as error:
        return f"The review was not recorded: {error}"
    except duckdb.ConnectionException:
        return ("The review was not recorded: another page is reading the warehouse right "
                "now. Submit it again in a moment.")
    return None


def review_form(context: PageContext, flag: dict[str, Any]) -> None:
    """Show the flag's review status and a form to record a review."""
    st.markdown("#### Exceptions register")
    if flag["status"] == "open":
        st.caption("Not reviewed yet. A review applies to this finding in every snapshot.")
    else:
        st.markdown(f"Reviewed **{flag['status']}** on {flag['reviewed_at']:%Y-%m-%d}: "
                    f"{components.plain(flag['review_note'])}")
    with st.form("review_form", clear_on_submit=True):
        decision = st.radio("Decision", list(DECISIONS), format_func=DECISIONS.get,
                            key="review_decision")
        note = st.text_area("Note (why)", key="review_note",
                            placeholder="The reason, for whoever reads the register next")
        reviewer = st.text_input("Reviewer ID", key="review_reviewer",
                                 help="A staff or role code, not a name: the dashboard shows "
                                      "no person's name.")
        submitted = st.form_submit_button("Record review")
    if submitted:
        problem = save_review(context, flag["flag_key"], decision, note, reviewer)
        if problem:
            st.error(problem)
            return
        st.session_state[SAVED_KEY] = f"Recorded: this flag is {decision}."
        st.rerun()
