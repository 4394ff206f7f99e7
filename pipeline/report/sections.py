"""Sections: the report's cover, comparability and findings, as HTML parts (see html.py).

Each function takes ReportData and returns HTML text in which every warehouse value is escaped.
The SES structure, performance and method sections are in sections_more.py.
"""

from __future__ import annotations

import polars as pl

from pipeline.report import figures, words
from pipeline.report.gather import ReportData, evidence_rows
from pipeline.report.html import (
    Column,
    facts,
    figure,
    heading,
    pairs,
    paragraph,
    suppression_note,
    table,
    text,
)

POINT_COLUMNS = (Column("group", "group"), Column("tier", "band"),
                 Column("count_positions", "positions", "count"),
                 Column("min_points", "lowest", "number"), Column("q1_points", "lower quartile",
                                                                  "number"),
                 Column("median_points", "median", "number"),
                 Column("q3_points", "upper quartile", "number"),
                 Column("max_points", "highest", "number"),
                 Column("band_range", "band range", "number"))
REPORT_TITLE = "SES classification benchmarking report"


def cover(data: ReportData) -> str:
    """Return the cover: who the report is of, where its numbers come from, the summary."""
    facts_shown = data.cover
    rows: list[tuple[str, object]] = []
    if data.is_agency:
        rows += [("Agency", f"{facts_shown.agency_code}: {facts_shown.agency_name}"),
                 ("Jurisdiction", f"{facts_shown.jurisdiction}: {facts_shown.jurisdiction_name}")]
    else:
        rows.append(("Scope", "every agency of every jurisdiction (commission-wide)"))
    rows += [("Snapshot", facts_shown.snapshot_date),
             ("Previous snapshot", facts_shown.previous_snapshot or "none"),
             ("Made", f"{words.number(facts_shown.made_at)} by {facts_shown.made_by}"),
             ("Warehouse publish id", facts_shown.publish_id or "not published"),
             ("Published", facts_shown.published_at)]
    summary = "".join(paragraph(sentence) for sentence in words.summary(data))
    return (f"{heading(1, REPORT_TITLE)}<p class=\"subject\">{text(facts_shown.title)}</p>"
            f"{facts(rows)}{heading(3, 'Summary')}<div class=\"summary\">{summary}</div>")


def _with_ranges(points: pl.DataFrame, ranges: pl.DataFrame) -> pl.DataFrame:
    """Return the points summary with each band's points range as text."""
    labelled = ranges.select("tier", pl.format("{} to {}{}", "min_points", "max_points",
                                               pl.when(pl.col("is_published")).then(pl.lit(""))
                                               .otherwise(pl.lit(" (assumed)")))
                             .alias("band_range"))
    return points.join(labelled, on="tier", how="left", maintain_order="left")


def comparability(data: ReportData) -> str:
    """Return the comparability section: points per band against the peers, and drift."""
    parts = [heading(2, "Comparability")]
    if data.is_agency:
        parts.append(paragraph(
            f"The agency's factor points per band beside the other {data.cover.jurisdiction} "
            "agencies and every other agency of every jurisdiction (compared through the "
            "crosswalk tier), each combined: no other agency is named, and a combined group "
            "is shown only where at least 5 positions of at least 3 agencies stand behind it, "
            "without its lowest and highest value (each is one position's)."))
    else:
        parts.append(paragraph("Every agency's factor points per band, and each jurisdiction's "
                               "through the crosswalk tier."))
    parts.append(figure(figures.points(data.points, data.band_ranges, data.tiers),
                        "Box: the middle half of a group's positions; line: lowest to highest; "
                        "dark tick: median; green: the band's points range."))
    shown = _with_ranges(data.points, data.band_ranges)
    highlight = ("group", f"{data.cover.agency_code} (this agency)") if data.is_agency else None
    parts += [table(shown, POINT_COLUMNS, highlight=highlight), suppression_note(shown)]
    if not data.is_agency and not data.jurisdiction_points.is_empty():
        parts.append(heading(3, "By jurisdiction, through the crosswalk tier"))
        by_jurisdiction = _with_ranges(data.jurisdiction_points, data.band_ranges)
        parts += [figure(figures.points(data.jurisdiction_points, data.band_ranges, data.tiers),
                         "Jurisdictions compared through the project's crosswalk (an "
                         "assumption: see Method)."),
                  table(by_jurisdiction, POINT_COLUMNS), suppression_note(by_jurisdiction)]
    parts.append(heading(3, "Drift"))
    if data.drift.is_empty():
        parts.append(paragraph("No band drifts towards another band's points."))
    for row in data.drift.iter_rows(named=True):
        parts.append(paragraph(f"{row['message']} Review status: {row['status']}."))
    return "".join(parts)


def _finding(row: dict) -> str:
    """Return one finding: what, its message, its evidence table and its review status."""
    where = " · ".join(str(value) for value in (
        row["agency_code"], row["position_id"], row["classification"]) if value)
    magnitude = (f" · magnitude {words.number(row['magnitude'])}"
                 if row.get("magnitude") is not None else "")
    status = row["status"] + (f": {row['review_note']}" if row.get("review_note") else "")
    title = f"{row['rule_name']} · {where}{magnitude}"
    return "".join([f'<div class="finding {text(row["severity"])}">', heading(4, title),
                    paragraph(row["message"]),
                    pairs(evidence_rows(row["evidence"]), ("evidence", "value")),
                    paragraph(f"Review status: {status}", "note"), "</div>"])


def findings(data: ReportData) -> str:
    """Return the findings section: high then medium, worst first; low notes counted."""
    listed = data.settings["findings"]["listed_severities"]
    counts = data.finding_counts.with_columns(
        pl.sum_horizontal(pl.exclude("severity")).alias("total"))
    totals = dict(zip(counts["severity"], counts["total"], strict=True))
    order = ("worst first by magnitude" if data.findings["magnitude"].is_not_null().any()
             else "by rule and position (the flags carry no magnitude yet)")
    parts = [heading(2, "Findings"),
             paragraph(f"Findings a classification specialist would act on, {order}, with "
                       "their evidence and their status in the exceptions register."),
             figure(figures.finding_status(data.finding_counts),
                    "Findings by severity and review status.")]
    for severity in listed:
        rows = data.findings.filter(pl.col("severity") == severity)
        total = int(totals.get(severity, 0))
        parts.append(heading(3, f"{severity.capitalize()} ({words.number(total)})"))
        if rows.height < total:
            parts.append(paragraph(f"The worst {rows.height} of {total} are listed; the rest "
                                   "are on the dashboard's Outliers page.", "note"))
        parts += [_finding(row) for row in rows.iter_rows(named=True)]
        if total == 0:
            parts.append(paragraph(f"No {severity} findings."))
    for severity, total in totals.items():
        if severity in listed:
            continue
        rules = data.unlisted.filter(pl.col("severity") == severity)
        detail = ", ".join(f"{rule} {words.number(count)}" for rule, count in
                           rules.select("rule_name", "count_flags").rows())
        notes = words.plural(int(total), f"{severity}-severity note")
        parts.append(paragraph(f"Counted, not listed: {notes}"
                               + (f" ({detail})." if detail else ".")))
    return "".join(parts)
