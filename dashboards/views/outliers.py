"""Outliers: the flag list, a position drill-down, and the exceptions register's review."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
import streamlit as st

from dashboards import charts, components, queries, scope
from dashboards.context import PageContext, current
from pipeline import frameworks
from pipeline.errors import ReviewError, WarehouseError
from pipeline.review import Decision, record_review

FLAG_PARAM = "flag"
DRILL_KEY = "outliers_flag"
SAVED_KEY = "outliers_review_saved"
DECISIONS = {"justified": "Justified: the classification stands, with this reason",
             "act": "Act: the agency is to fix the classification or its record"}
LIST_COLUMNS = ("severity", "rule_id", "message", "agency_code", "position_id",
                "position_title", "classification", "status", "reviewed_at", "jurisdiction")


def flag_filters(rules: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Return the page's own narrowing of the list: severities, rules, review statuses."""
    left, middle, right = st.columns(3)
    severities = left.multiselect("Severity", queries.SEVERITIES, key="outliers_severity",
                                  placeholder="All severities")
    rule_ids = middle.multiselect("Rule", rules, key="outliers_rules", placeholder="All rules")
    statuses = right.multiselect("Review status", queries.REVIEW_STATUSES,
                                 key="outliers_status", placeholder="Any status")
    return tuple(severities), tuple(rule_ids), tuple(statuses)


def flag_label(row: dict[str, Any]) -> str:
    """Return a flag's one-line label for the drill-down picker."""
    where = row["position_id"] or f"{row['agency_code']} (agency)"
    return f"{row['severity']} · {row['rule_id']} · {row['agency_code']} {where}"


def pick_flag(flags: pl.DataFrame) -> dict[str, Any] | None:
    """Return the flag chosen for the drill-down (kept in the URL as ?flag=), or None."""
    rows = {row["flag_key"]: row for row in flags.iter_rows(named=True)}
    wanted = st.query_params.get(FLAG_PARAM)
    if st.session_state.get(DRILL_KEY) not in rows:
        st.session_state[DRILL_KEY] = wanted if wanted in rows else None
    chosen = st.selectbox("Drill into a flag", list(rows), key=DRILL_KEY,
                          format_func=lambda key: flag_label(rows[key]),
                          placeholder="Choose a flag to see its position, evidence and review")
    if chosen is None:
        st.query_params.pop(FLAG_PARAM, None)
        return None
    st.query_params[FLAG_PARAM] = chosen
    return rows[chosen]


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
        st.dataframe(reader.query(queries.reporting_chain, *key), hide_index=True)
    with right:
        st.markdown("**Determination history** (latest first)")
        history = reader.query(queries.determination_history, *key[1:])
        if history.is_empty():
            st.caption("No determination on record.")
        else:
            st.dataframe(history, hide_index=True)
    if context.has("factor_evidence"):
        evidence = reader.query(queries.factor_evidence, *key)
        if not evidence.is_empty():
            st.markdown("**Factor scores against the evidence** (calibrated expectation)")
            st.dataframe(evidence, hide_index=True)


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
        decision = st.radio("Decision", list(DECISIONS), format_func=DECISIONS.get)
        note = st.text_area("Note (why)", placeholder="The reason, for whoever reads the "
                                                      "register next")
        reviewer = st.text_input("Reviewer ID", help="A staff or role code, not a name: the "
                                                     "dashboard shows no person's name.")
        submitted = st.form_submit_button("Record review")
    if submitted:
        problem = save_review(context, flag["flag_key"], decision, note, reviewer)
        if problem:
            st.error(problem)
            return
        st.session_state[SAVED_KEY] = f"Recorded: this flag is {decision}."
        st.rerun()


def render(context: PageContext) -> None:
    """Draw the Outliers page."""
    st.title("Outliers")
    components.scope_caption(context.filters)
    if SAVED_KEY in st.session_state:
        st.success(st.session_state.pop(SAVED_KEY), icon=":material/check_circle:")
    if not context.has("flags"):
        components.not_available("flags", "The flag list")
        return
    reader, filters = context.reader, context.filters
    rules = reader.query(queries.flag_rule_ids, filters)
    if not rules:
        st.success("No flags for this selection: every check passed, or the checks have not "
                   "run on this snapshot yet.", icon=":material/check_circle:")
        return
    flags = reader.query(queries.flag_list, filters, *flag_filters(rules))
    if flags.is_empty():
        components.no_rows("flags")
        return
    st.caption(f"{flags.height} flags. Click a column header to sort.")
    st.dataframe(flags.select(LIST_COLUMNS), hide_index=True, column_config={
        "message": st.column_config.TextColumn("message", width="large"),
        "position_title": st.column_config.TextColumn("title", width="medium"),
        "reviewed_at": st.column_config.DatetimeColumn("reviewed", format="YYYY-MM-DD")})
    components.download_buttons(flags, "flags",
                                components.Download(reader.path, context.agency))
    st.divider()
    flag = pick_flag(flags)
    if flag is None:
        return
    st.markdown(f"**{flag['severity'].capitalize()} · {components.plain(flag['rule_id'])}** · "
                f"{components.plain(flag['message'])}")
    with st.expander("Evidence", expanded=True):
        st.json(flag["evidence"] or "{}")
    if flag["position_id"]:
        position_drill_down(context, flag)
    review_form(context, flag)


render(current())
