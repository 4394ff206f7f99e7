"""Sections: the report's SES structure, performance framework and method, as HTML parts.

As in sections.py, every warehouse value is escaped (html.py); counts that compare agencies
arrive suppressed (gather.py, structure.py).
"""

from __future__ import annotations

import polars as pl

from dashboards import queries
from dashboards.scope import PEER_MIN_AGENCIES, PEER_MIN_POSITIONS
from pipeline import frameworks
from pipeline.privacy import SMALL_COUNT_THRESHOLD, SUPPRESSED_FLAG
from pipeline.report import figures, words
from pipeline.report.gather import ReportData
from pipeline.report.html import (
    Column,
    facts,
    figure,
    heading,
    paragraph,
    suppression_note,
    table,
    text,
)
from pipeline.report.structure import size_groups

EXECUTIVE_OCCUPANCY = ("occupied", "acting", "vacant", "not stated")
HIDDEN = -1  # a suppressed count while the pyramid is pivoted


def _pyramid_table(pyramid: pl.DataFrame) -> pl.DataFrame:
    """Return the pyramid as one row per band, one column per occupancy, and the total.

    A suppressed cell (null from the query) stays suppressed, and so does its band's total; a
    band with no position of an occupancy holds 0.
    """
    marked = pyramid.with_columns(pl.col("count_positions").fill_null(HIDDEN))
    wide = marked.pivot(on="occupancy", index=["tier", "rank"], values="count_positions",
                        aggregate_function="sum").fill_null(0)
    present = [name for name in EXECUTIVE_OCCUPANCY if name in wide.columns]
    hidden = pl.any_horizontal(pl.col(name) == HIDDEN for name in present)
    return wide.sort("rank", descending=True).select(
        "tier", *[pl.when(pl.col(name) == HIDDEN).then(None).otherwise(pl.col(name)).alias(name)
                  for name in present],
        pl.when(hidden).then(None).otherwise(pl.sum_horizontal(present)).alias("total"),
        hidden.alias(SUPPRESSED_FLAG))


def _ratio_part(data: ReportData) -> list[str]:
    """Return executives per 1,000 FTE: the agency's against similar-sized peers, or all."""
    ratio = data.settings["ratio"]
    note = paragraph(f"No ratio is shown for an agency under {words.number(data.ratio_min_fte)} "
                     "FTE (the dashboard's threshold too) or with fewer than 5 executives. "
                     "Size groups: " + ", ".join(
                         label for label, _, _ in size_groups(ratio["size_upper_bounds"])) + ".",
                     "note")
    if not data.is_agency:
        columns = (Column("jurisdiction", "jurisdiction"), Column("agency_code", "agency"),
                   Column("size_group", "size"), Column("total_fte", "FTE", "number"),
                   Column("count_executives", "executives", "count"),
                   Column("executives_per_1000_fte", "per 1,000 FTE", "number"))
        return [figure(figures.ratios(data.structure), "Executives per 1,000 FTE by agency."),
                table(data.structure, columns), suppression_note(data.structure), note]
    peers, row = data.size_peers, data.structure.row(0, named=True)
    frame = pl.DataFrame({
        "group": [f"{data.cover.agency_code} (this agency)",
                  f"Other agencies of {peers['size_group']} (combined)"],
        "agencies": [1, peers["agencies"]],
        "ratio": [row["executives_per_1000_fte"], peers["median"]],
        "q1": [None, peers["q1"]], "q3": [None, peers["q3"]]},
        schema={"group": pl.String, "agencies": pl.Int64, "ratio": pl.Float64,
                "q1": pl.Float64, "q3": pl.Float64})
    columns = (Column("group", "group"), Column("agencies", "agencies", "number"),
               Column("ratio", "executives per 1,000 FTE (median)", "number"),
               Column("q1", "lower quartile", "number"), Column("q3", "upper quartile", "number"))
    return [paragraph(words.ratio_sentence(data)),
            table(frame, columns, highlight=("agencies", 1)), note]


def _spans_part(data: ReportData) -> list[str]:
    """Return spans of control and layers."""
    if data.is_agency:
        row = data.structure.row(0, named=True)
        columns = (Column("span_category", "direct reports"),
                   Column("count_managers", "managers", "count"),
                   Column("share", "share", "share"),
                   Column("peer_share", "every other agency (combined)", "share"))
        return [facts([("Layers (longest reporting line)", row["count_layers"]),
                       ("Executive layers", row["count_executive_layers"]),
                       ("Managers", row["count_managers"]),
                       ("Median span of control", row["median_span"])]),
                table(data.spans, columns), suppression_note(data.spans)]
    columns = (Column("jurisdiction", "jurisdiction"), Column("agency_code", "agency"),
               Column("count_layers", "layers", "number"),
               Column("count_executive_layers", "executive layers", "number"),
               Column("count_managers", "managers", "number"),
               Column("median_span", "median span", "number"))
    return [figure(figures.spans(data.spans), "Managers by number of direct reports."),
            table(data.structure, columns)]


def _notes_part(data: ReportData) -> list[str]:
    """Return the structure notes (span of one, stretched report), the worst first, or none."""
    notes = data.structure_notes
    if notes.is_empty():
        return [paragraph("No structure notes: no executive with a span of one, and no report "
                          "across a band its agency holds.")]
    limit = data.settings["findings"]["max_listed"]
    columns = (Column("agency_code", "agency"), Column("position_id", "position"),
               Column("rule_name", "note"), Column("message", "what"))
    shown = notes.head(limit)
    parts = [paragraph(f"Low-severity notes on the shape of the structure, not findings on a "
                       f"classification: {words.plural(notes.height, 'note')}.")]
    if shown.height < notes.height:
        parts.append(paragraph(f"The first {shown.height} of {notes.height} are listed; the "
                               "rest are on the dashboard's SES structure page.", "note"))
    return [*parts, table(shown, columns[1:] if data.is_agency else columns)]


def structure(data: ReportData) -> str:
    """Return the SES structure section."""
    pyramid = _pyramid_table(data.pyramid) if data.pyramid.height else data.pyramid
    columns = [Column("tier", "band")] + [Column(name, name, "count") for name in
                                          pyramid.columns if name not in ("tier", SUPPRESSED_FLAG)]
    changes = (Column("change", "change"), Column("count_positions", "executive positions",
                                                  "number"))
    previous = data.cover.previous_snapshot
    return "".join([
        heading(2, "SES structure"), heading(3, "Band pyramid"),
        figure(figures.pyramid(data.pyramid, data.tiers),
               "Positions per band (senior at the top) by occupancy; SUBSES: the grade below."),
        table(pyramid, columns), suppression_note(pyramid),
        heading(3, "Vacancies and acting"), paragraph(words.vacancies_sentence(data)),
        heading(3, "Executives per 1,000 FTE"), *_ratio_part(data),
        heading(3, "Spans and layers"), *_spans_part(data),
        heading(3, "Structure notes"), *_notes_part(data),
        heading(3, "Change since the previous snapshot"),
        paragraph(f"Since {previous}:" if previous else "This is the first snapshot."),
        table(data.changes, changes) if previous else "",
        figure(figures.trend(data.trend, data.tiers), "Executive positions per band across "
                                                      "snapshots."),
    ])


def performance(data: ReportData) -> str:
    """Return the performance framework section (APS SES Performance Leadership Framework)."""
    parts = [heading(2, "Performance framework")]
    if data.maturity_year is None and data.rating_cycle is None:
        return "".join([*parts, paragraph(
            "No maturity assessments or SES performance ratings are on record for this "
            "report: the APS SES Performance Leadership Framework applies to APS agencies.")])
    if data.maturity_year is not None:
        parts.append(heading(3, f"Maturity by element, {data.maturity_year}"))
        if data.is_agency:
            parts.append(table(data.maturity, (
                Column("element", "element"), Column("maturity_level", "this agency", "number"),
                Column("peer_level", f"other {data.cover.jurisdiction} agencies (mean)",
                       "number"),
                Column("peer_agencies", "agencies behind the mean", "number"))))
        else:
            parts.append(figure(figures.maturity(data.maturity), "Maturity level by agency "
                                                                 "and element."))
    if data.rating_cycle is not None:
        parts.append(heading(3, f"SES ratings, {data.rating_cycle}"))
        columns = [Column("dimension", "dimension"), Column("rating", "rating"),
                   Column("count_ratings", "SES rated", "count")]
        if data.is_agency:
            columns.append(Column("peer_share", f"other {data.cover.jurisdiction} agencies "
                                                "(overall, share)", "share"))
        parts += [figure(figures.ratings(data.ratings), "SES rated per rating and dimension."),
                  table(data.ratings, columns), suppression_note(data.ratings)]
    return "".join(parts)


def method(data: ReportData) -> str:
    """Return the method section: frameworks, ranges, assumptions, privacy rules."""
    sources = pl.DataFrame([{"framework": item.id, "source": item.source.title,
                             "publisher": item.source.publisher,
                             "jurisdictions": ", ".join(item.jurisdictions)}
                            for item in frameworks.all_frameworks()])
    order = {tier: rank for rank, tier in enumerate(data.tiers)}
    ranges = data.band_ranges.sort(pl.col("tier").replace_strict(order, default=99)).with_columns(
        pl.when(pl.col("is_published")).then(pl.lit("published"))
        .otherwise(pl.lit("assumed (data/scoring.toml)")).alias("source"))
    return "".join([
        heading(2, "Method"), heading(3, "Frameworks"),
        table(sources, (Column("framework", "framework"), Column("source", "source document"),
                        Column("publisher", "publisher"),
                        Column("jurisdictions", "jurisdictions"))),
        heading(3, "Points ranges per band"),
        table(ranges, (Column("tier", "band"), Column("min_points", "from", "number"),
                       Column("max_points", "to", "number"), Column("source", "range"))),
        heading(3, "Assumptions"),
        paragraph("Jurisdictions are compared through the project's crosswalk "
                  "(data/crosswalk.toml), an assumption, not a published equivalence:"),
        f"<pre>{text(queries.crosswalk_assumption())}</pre>",
        paragraph("Scores, thresholds and every other assumption are data (data/scoring.toml, "
                  "data/rules.toml, data/report.toml), explained in docs/scoring.md, "
                  "docs/rules.md and docs/report.md."),
        heading(3, "Privacy"),
        paragraph(f"No person is named. Where agencies are compared, a count of 1 to "
                  f"{SMALL_COUNT_THRESHOLD - 1} is shown as \"{words.SUPPRESSED}\", and so is "
                  "every value derived from it. In an agency's report other agencies appear "
                  f"only combined, where at least {PEER_MIN_POSITIONS} positions of at least "
                  f"{PEER_MIN_AGENCIES} agencies stand behind a value."),
    ])

