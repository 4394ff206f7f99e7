"""Filters: the five selections every page shares (snapshot, jurisdiction, agency, stream, band).

They live in the URL (st.query_params) so that a view can be shared as a link, and in session
state so that they survive a move to another page. The pure functions here turn URL parameters
into a validated Filters value and back; render_sidebar draws the widgets.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, fields, replace

import streamlit as st

from pipeline import frameworks

ALL = ""  # the widget value meaning "no filter"
URL_KEYS = {  # Filters field -> query parameter name
    "snapshot_date": "snapshot",
    "jurisdiction": "jurisdiction",
    "agency_code": "agency",
    "stream_code": "stream",
    "tier": "band",
}
LABELS = {
    "snapshot_date": "Snapshot",
    "jurisdiction": "Jurisdiction",
    "agency_code": "Agency",
    "stream_code": "Stream",
    "tier": "Band (crosswalk tier)",
}
WIDGET_PREFIX = "filter_"
UNKNOWN_STREAM = "unknown"


@dataclass(frozen=True)
class Filters:
    """The shared selection; None means "all" (every value is checked against the warehouse)."""

    snapshot_date: str | None = None  # ISO date
    jurisdiction: str | None = None
    agency_code: str | None = None
    stream_code: str | None = None
    tier: str | None = None


@dataclass(frozen=True)
class Agency:
    """An agency as the filters list it."""

    jurisdiction: str
    agency_code: str
    agency_name: str


@dataclass(frozen=True)
class FilterOptions:
    """The values the warehouse holds for each filter, in display order."""

    snapshots: tuple[str, ...] = ()  # newest first
    jurisdictions: tuple[str, ...] = ()
    agencies: tuple[Agency, ...] = ()
    streams: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()  # most senior first

    @property
    def latest_snapshot(self) -> str | None:
        """Return the newest snapshot date, or None when nothing is loaded."""
        return self.snapshots[0] if self.snapshots else None

    def agency_codes(self, jurisdiction: str | None) -> tuple[str, ...]:
        """Return the codes of the agencies of a jurisdiction (of every one when None)."""
        return tuple(agency.agency_code for agency in self.agencies
                     if jurisdiction is None or agency.jurisdiction == jurisdiction)

    def agency_label(self, agency_code: str) -> str:
        """Return "CODE: name" for an agency code (the code alone when unknown)."""
        names = {agency.agency_code: agency.agency_name for agency in self.agencies}
        return f"{agency_code}: {names[agency_code]}" if agency_code in names else agency_code

    def choices(self, field: str, jurisdiction: str | None = None) -> tuple[str, ...]:
        """Return the allowed values of a Filters field (agencies within the jurisdiction)."""
        return {
            "snapshot_date": self.snapshots,
            "jurisdiction": self.jurisdictions,
            "agency_code": self.agency_codes(jurisdiction),
            "stream_code": self.streams,
            "tier": self.tiers,
        }[field]


def filters_from_params(params: Mapping[str, str | list[str]],
                        options: FilterOptions) -> Filters:
    """Return the Filters a URL's parameters ask for; unknown values fall back to "all".

    The snapshot defaults to the newest one; an agency outside the chosen jurisdiction is
    dropped.
    """
    values: dict[str, str | None] = {}
    for field, key in URL_KEYS.items():
        raw = params.get(key)
        value = raw[-1] if isinstance(raw, list) and raw else raw
        jurisdiction = values.get("jurisdiction")
        values[field] = value if isinstance(value, str) and value in options.choices(
            field, jurisdiction) else None
    filters = Filters(**values)
    if filters.snapshot_date is None:
        filters = replace(filters, snapshot_date=options.latest_snapshot)
    return filters


def params_from_filters(filters: Filters) -> dict[str, str]:
    """Return the URL parameters of a Filters value (only the fields that are set)."""
    return {URL_KEYS[field.name]: value for field in fields(filters)
            if (value := getattr(filters, field.name)) is not None}


def stream_labels() -> dict[str, str]:
    """Return a display name per stream code, from the frameworks under data/frameworks."""
    labels: dict[str, str] = {UNKNOWN_STREAM: "Unknown / not stated"}
    for framework in frameworks.all_frameworks():
        for stream in framework.streams:
            labels.setdefault(stream.code, stream.name)
    return labels


def sync_query_params(query_params: MutableMapping[str, str], filters: Filters) -> None:
    """Write the filters into the URL, leaving any page's own parameters alone."""
    wanted = params_from_filters(filters)
    for key in URL_KEYS.values():
        if key in wanted:
            if query_params.get(key) != wanted[key]:
                query_params[key] = wanted[key]
        elif key in query_params:
            del query_params[key]


def render_sidebar(options: FilterOptions, *, scoped: bool = False) -> Filters:
    """Return the Filters chosen in the sidebar widgets, seeded from the URL on first use.

    ``scoped``: the dashboard shows one agency (`--agency`), the only one the options hold; the
    agency filter then offers that agency and no "All agencies".
    """
    state = st.session_state
    from_url = filters_from_params(st.query_params.to_dict(), options)
    labels = stream_labels()
    formatters = {
        "snapshot_date": lambda value: value or "All",
        "jurisdiction": lambda value: value or "All jurisdictions",
        "agency_code": lambda value: options.agency_label(value) if value else "All agencies",
        "stream_code": lambda value: labels.get(value, value) if value else "All streams",
        "tier": lambda value: value or "All bands",
    }
    chosen: dict[str, str | None] = {}
    with st.sidebar:
        st.header("Filters")
        if scoped:
            st.caption("This dashboard is scoped to one agency: it shows nothing of any other.")
        for field in URL_KEYS:
            key = WIDGET_PREFIX + field
            allowed = tuple(dict.fromkeys(options.choices(field, chosen.get("jurisdiction"))))
            fixed = field == "snapshot_date" or (scoped and field == "agency_code")
            values = list(allowed) if fixed else [ALL, *allowed]
            if key not in state:
                state[key] = getattr(from_url, field) or ALL
            if state[key] not in values:
                state[key] = values[0] if values else ALL
            if not values:
                chosen[field] = None
                continue
            selected = st.selectbox(LABELS[field], values, key=key,
                                    format_func=formatters[field])
            chosen[field] = selected or None
    filters = Filters(**chosen)
    sync_query_params(st.query_params, filters)
    return filters
