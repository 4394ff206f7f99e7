"""Outliers: the flags worst first, a position search, and the drill-down with its review.

Every choice on the page is in the URL, beside the sidebar's filters: ?severity=, ?rule=,
?status= (repeated for several), ?q= (the search), ?position= (a position found) and ?flag=
(the flag drilled into), so that a view can be shared as a link.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboards import components, drilldown, labels, queries
from dashboards.context import PageContext, current

FLAG_PARAM = "flag"
DRILL_KEY = "outliers_flag"
TABLE_KEY = "outliers_table"
CLICKED_KEY = "outliers_table_clicked"
SEARCH_PARAM, SEARCH_KEY = "q", "outliers_search"
POSITION_PARAM, POSITION_KEY = "position", "outliers_position"
LIST_FILTERS = (  # widget key, URL parameter, label, placeholder
    ("outliers_severity", "severity", "Severity", "All severities"),
    ("outliers_rules", "rule", "Rule", "All rules"),
    ("outliers_status", "status", "Review status", "Any status"),
)
LIST_COLUMNS = ("severity", "magnitude", "rule_name", "message", "agency_code", "position_id",
                "position_title", "classification", "status", "reviewed_at", "jurisdiction",
                "rule_id")
MESSAGE_WIDTH_PX = 560  # the Finding column: wide, its text wrapped (rows tall enough)
ROWS_IN_VIEW = 8  # the table is tall enough for this many flags; more scroll
HEADER_PX = 38


def url_choice(key: str, param: str, allowed: tuple[str, ...]) -> None:
    """Seed a multiselect's state from the URL (its allowed values only), once per session."""
    if key not in st.session_state:
        st.session_state[key] = [value for value in st.query_params.get_all(param)
                                 if value in allowed]


def keep_in_url(param: str, values: list[str] | str | None) -> None:
    """Write a page choice into the URL, or drop it when nothing is chosen."""
    if values:
        st.query_params[param] = values
    else:
        st.query_params.pop(param, None)


def flag_filters(rules: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """Return the page's own narrowing of the list: severities, rules (named), review statuses.

    ``rules`` maps the rule ids present to their readable names; the URL keeps the ids.
    """
    chosen = []
    options = (queries.SEVERITIES, tuple(rules), queries.REVIEW_STATUSES)
    for column, (key, param, label, placeholder), allowed in zip(
            st.columns(3), LIST_FILTERS, options, strict=True):
        url_choice(key, param, allowed)
        values = column.multiselect(label, allowed, key=key, placeholder=placeholder,
                                    format_func=lambda value: rules.get(value, value))
        keep_in_url(param, values)
        chosen.append(tuple(values))
    return tuple(chosen)


def flag_label(row: dict[str, Any]) -> str:
    """Return a flag's one-line label for the drill-down picker."""
    where = row["position_id"] or f"{row['agency_code']} (agency)"
    return f"{row['severity']} · {row['rule_name']} · {row['agency_code']} {where}"


def flag_table(flags: pl.DataFrame) -> None:
    """Show the flags, worst first, each message whole; a click on a row opens its drill-down."""
    row_height = components.wrapped_row_height(flags["message"].to_list(), MESSAGE_WIDTH_PX)
    event = components.table(
        flags.select(LIST_COLUMNS), key=TABLE_KEY, row_height=row_height,
        height=HEADER_PX + row_height * min(flags.height, ROWS_IN_VIEW) + 2,
        message=st.column_config.TextColumn(width=MESSAGE_WIDTH_PX),
        rule_name=st.column_config.TextColumn(width="medium"),
        position_title=st.column_config.TextColumn(width="medium"),
        magnitude=st.column_config.NumberColumn(format="%.2f", help=(
            "How far the finding is past its rule's threshold (in the rule's own unit)")),
        reviewed_at=st.column_config.DatetimeColumn(format="YYYY-MM-DD"))
    rows = list(event.selection.rows) if event is not None else []
    if rows and rows != st.session_state.get(CLICKED_KEY):
        st.session_state[DRILL_KEY] = flags["flag_key"][rows[0]]
        st.session_state.pop(POSITION_KEY, None)
        st.query_params.pop(POSITION_PARAM, None)
    st.session_state[CLICKED_KEY] = rows


def pick_flag(flags: pl.DataFrame) -> dict[str, Any] | None:
    """Return the flag chosen for the drill-down (kept in the URL as ?flag=), or None."""
    rows = {row["flag_key"]: row for row in flags.iter_rows(named=True)}
    wanted = st.query_params.get(FLAG_PARAM)
    if st.session_state.get(DRILL_KEY) not in rows:
        st.session_state[DRILL_KEY] = wanted if wanted in rows else None
    chosen = st.selectbox("Drill into a flag (or click its row)", list(rows), key=DRILL_KEY,
                          format_func=lambda key: flag_label(rows[key]),
                          placeholder="Choose a flag to see its position, evidence and review")
    keep_in_url(FLAG_PARAM, chosen)
    return rows[chosen] if chosen is not None else None


def search_label(row: dict[str, Any]) -> str:
    """Return a found position's one-line label: id, title, agency, band and its flags."""
    flagged = labels.count_phrase(row["count_flags"], "flag") if row["count_flags"] else "no flag"
    return (f"{row['position_id']} · {row['position_title'] or 'untitled'} · "
            f"{row['agency_code']} · {row['tier'] or 'no band'} · {flagged}")


def position_search(context: PageContext) -> dict[str, Any] | None:
    """Return the position a search found and the visitor chose (flagged or not), or None."""
    if SEARCH_KEY not in st.session_state:
        st.session_state[SEARCH_KEY] = st.query_params.get(SEARCH_PARAM, "")
    text = st.text_input("Find a position by id or title, flagged or not", key=SEARCH_KEY,
                         placeholder="e.g. P035 or Chief Economist")
    keep_in_url(SEARCH_PARAM, text.strip())
    if not text.strip():
        keep_in_url(POSITION_PARAM, None)
        return None
    found = context.reader.query(queries.position_search, context.filters, text)
    if found.is_empty():
        st.info(f"No position of snapshot {context.filters.snapshot_date} has "
                f"“{components.plain(text)}” in its id or title.", icon=":material/search_off:")
        return None
    rows = {f"{row['jurisdiction']}/{row['agency_code']}/{row['position_id']}": row
            for row in found.iter_rows(named=True)}
    if st.session_state.get(POSITION_KEY) not in rows:
        wanted = st.query_params.get(POSITION_PARAM)
        st.session_state[POSITION_KEY] = wanted if wanted in rows else next(iter(rows))
    chosen = st.selectbox(f"Positions found ({labels.count_phrase(len(rows), 'position')})",
                          list(rows), key=POSITION_KEY,
                          format_func=lambda key: search_label(rows[key]))
    keep_in_url(POSITION_PARAM, chosen)
    return rows[chosen]


def show_found(context: PageContext, position: dict[str, Any], flags: pl.DataFrame) -> None:
    """Show a found position's drill-down: through its worst flag when it has one."""
    top = (flags.filter(pl.col("flag_key") == position["top_flag"])
           if position["top_flag"] and "flag_key" in flags.columns else None)
    if top is not None and top.height:
        show_flag(context, top.row(0, named=True))
        return
    if position["count_flags"]:
        st.caption("Its flags are outside the severity, rule or status chosen above.")
    else:
        st.caption("No flag: every check passed for this position.")
    drilldown.position_drill_down(context, position)


def show_flag(context: PageContext, flag: dict[str, Any]) -> None:
    """Show one flag: its evidence, its position's drill-down and the review form."""
    drilldown.evidence(flag)
    if flag["position_id"]:
        drilldown.position_drill_down(context, flag)
    drilldown.review_form(context, flag)


def render(context: PageContext) -> None:
    """Draw the Outliers page."""
    st.title("Outliers")
    components.scope_caption(context.filters)
    if drilldown.SAVED_KEY in st.session_state:
        st.success(st.session_state.pop(drilldown.SAVED_KEY), icon=":material/check_circle:")
    if not context.has("flags"):
        components.not_available("flags", "The flag list")
        return
    reader, filters = context.reader, context.filters
    rules = reader.query(queries.flag_rule_names, filters)
    flags = (reader.query(queries.flag_list, filters, *flag_filters(rules)) if rules
             else pl.DataFrame())
    if not rules:
        st.success(f"No flags for this selection (snapshot {filters.snapshot_date}): every "
                   "check passed.", icon=":material/check_circle:")
    elif flags.is_empty():
        st.info("No flag has the severity, rule and review status chosen above.",
                icon=":material/filter_alt_off:")
    else:
        st.caption(f"{labels.count_phrase(flags.height, 'flag')}, worst first: by severity, "
                   "then magnitude. Click a row to open it below.")
        flag_table(flags)
        components.download_buttons(flags, "flags",
                                    components.Download(reader.path, context.agency))
    st.divider()
    found = position_search(context)
    if found is not None:
        show_found(context, found, flags)
        return
    flag = pick_flag(flags) if not flags.is_empty() else None
    if flag is not None:
        show_flag(context, flag)


render(current())
