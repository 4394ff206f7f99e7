"""Words: numbers as the report prints them, and the cover's plain sentences.

The sentences are built from ReportData only (nothing is read here), so the cover says what the
sections below it show. Suppressed values are never put into a sentence.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.privacy import SMALL_COUNT_THRESHOLD
from pipeline.report.gather import ReportData

SUPPRESSED = "<5"  # how a blanked count is printed
MISSING = "\u2013"  # an en dash: no value


def number(value: object) -> str:
    """Return a value as the report prints it: thousands separated, one decimal for fractions."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return str(value)


def share(value: float | None) -> str:
    """Return a share as a whole percentage."""
    return MISSING if value is None else f"{value:.0%}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return "1 thing" or "N things"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def count(data: ReportData, value: int) -> str:
    """Return a count of the report's own selection for a sentence (1 to 4: "fewer than 5").

    The dashboard suppresses one agency's small counts (dashboards/queries/base.py); the
    report's sentences do as its tables do.
    """
    if data.is_agency and 1 <= value < SMALL_COUNT_THRESHOLD:
        return f"fewer than {SMALL_COUNT_THRESHOLD}"
    return number(value)


def executives_sentence(data: ReportData) -> str:
    """Return how many executive positions the agency (or commission) has."""
    counts, cover = data.headline, data.cover
    subject = (f"{cover.agency_name} ({cover.jurisdiction})" if data.is_agency else
               f"the {plural(counts['agencies'], 'agency', 'agencies')} in the warehouse")
    return (f"At the {cover.snapshot_date} snapshot, {subject} had "
            f"{count(data, counts['executives'])} executive positions.")


def vacancies_sentence(data: ReportData) -> str:
    """Return how many executive positions are vacant, and how many filled by acting."""
    return (f"Vacant executive positions: {count(data, data.headline['executive_vacancies'])}; "
            f"filled by an acting occupant: {count(data, data.headline['executive_acting'])}.")


def findings_sentence(data: ReportData) -> str:
    """Return how many findings a specialist would act on, how many reviewed, and low notes."""
    counts = data.finding_counts.with_columns(
        pl.sum_horizontal(pl.exclude("severity")).alias("total"))
    by_severity = dict(zip(counts["severity"], counts["total"], strict=True))
    listed = data.settings["findings"]["listed_severities"]
    reviewed = int(counts.filter(pl.col("severity").is_in(listed))
                   .select(pl.col("justified") + pl.col("act")).sum().item() or 0)
    parts = " and ".join(f"{number(int(by_severity.get(severity, 0)))} {severity}"
                         for severity in listed)
    low = sum(int(total) for severity, total in by_severity.items() if severity not in listed)
    return (f"The consistency checks raised {parts} findings a classification specialist would "
            f"act on ({number(reviewed)} already reviewed in the exceptions register), and "
            f"{plural(low, 'low-severity note')}.")


def _medians(points: pl.DataFrame, group: str) -> dict[str, float]:
    """Return a group's shown median points per tier."""
    rows = points.filter(pl.col("group") == group).drop_nulls("median_points")
    return dict(zip(rows["tier"], rows["median_points"], strict=True))


def points_sentence(data: ReportData) -> str:
    """Return how the agency's median points per band sit against its jurisdiction's others."""
    cover, margin = data.cover, data.settings["summary"]["in_line_points"]
    own = _medians(data.points, f"{cover.agency_code} (this agency)")
    others = _medians(data.points, f"Other {cover.jurisdiction} agencies (combined)")
    parts = []
    for tier in data.tiers:
        if tier in own and tier in others:
            gap = own[tier] - others[tier]
            word = "in line" if abs(gap) <= margin else ("higher" if gap > 0 else "lower")
            parts.append(f"{word} for {tier} ({number(own[tier])} against "
                         f"{number(others[tier])})")
    if not parts:
        return (f"Its factor points per band cannot be set against the other {cover.jurisdiction}"
                " agencies': too few positions stand behind a comparison.")
    return (f"Against the other {cover.jurisdiction} agencies combined, its median factor "
            f"points sit {'; '.join(parts)}.")


def spread_sentence(data: ReportData) -> str:
    """Return the spread of the agencies' median points per band (commission-wide)."""
    shown = data.points.drop_nulls("median_points")
    parts = []
    for tier in data.tiers:
        medians = shown.filter(pl.col("tier") == tier)["median_points"]
        if medians.len() >= 2:
            parts.append(f"{tier} from {number(medians.min())} to {number(medians.max())}")
    if not parts:
        return "Too few positions stand behind any band to compare the agencies' points."
    return f"Agencies' median factor points per band range: {'; '.join(parts)}."


def ratio_sentence(data: ReportData) -> str:
    """Return the agency's executives per 1,000 FTE against agencies of a similar size."""
    peers, min_fte = data.size_peers, data.ratio_min_fte
    row = data.structure.row(0, named=True) if data.structure.height else {}
    if not row or row["total_fte"] is None or row["total_fte"] < min_fte:
        return (f"No executives-per-FTE ratio is given: the agency has under {number(min_fte)} "
                "FTE, too few for the ratio to mean much.")
    if row["executives_per_1000_fte"] is None:
        return "No executives-per-FTE ratio is given: it rests on fewer than 5 executives."
    own = f"It has {number(row['executives_per_1000_fte'])} executives per 1,000 FTE"
    if peers.get("median") is None:
        return f"{own}; too few other agencies of {peers['size_group']} stand beside it."
    return (f"{own}, against a median of {number(peers['median'])} among "
            f"{number(peers['agencies'])} other agencies of {peers['size_group']}.")


def drift_sentence(data: ReportData) -> str:
    """Return which agencies' bands drift towards another band's points (commission-wide)."""
    if data.drift.is_empty():
        return "No agency's band drifts towards another band's points."
    named = ", ".join(f"{code} {tier}" for code, tier in
                      data.drift.select("agency_code", "tier").unique(maintain_order=True).rows())
    return (f"{plural(data.drift.height, 'band')} drift towards another band's points: "
            f"{named}.")


def summary(data: ReportData) -> list[str]:
    """Return the cover's three to five sentences."""
    if data.is_agency:
        return [executives_sentence(data), vacancies_sentence(data), findings_sentence(data),
                points_sentence(data), ratio_sentence(data)]
    return [executives_sentence(data), vacancies_sentence(data), findings_sentence(data),
            spread_sentence(data), drift_sentence(data)]
