"""UK government organograms ("staff and salary data"): senior posts and junior aggregates.

Layouts (data.gov.uk organogram template, see ../shared/real/*/SOURCE.md):
- senior: one row per senior post ("Post Unique Reference", "Reports to Senior Post", grade,
  job title, pay floor and ceiling in GBP 5,000 bands, FTE, name or "N/D", ...);
- junior: one row per (reporting senior post, grade, generic title): an AGGREGATE of junior
  posts, "Number of Posts in FTE" being their total FTE.
Columns are matched by name (case and spacing ignored, "£" dropped), never by position: layouts
have 20, 21 or 22 columns and a blank-named column. Jurisdiction is `UK`; the snapshot date
comes from the file name's ISO date (else the run's --snapshot-date); the agency is the
Organisation column. Withheld values ("N/D") and single-quoted values ('Vacant') are read for
what they mean. Names, phone numbers and e-mail addresses are personal data: phone and e-mail
are never loaded, names only when the user asks.
"""

from __future__ import annotations

import re

import polars as pl

from pipeline.adapters import Adapter, AdapterContext
from pipeline.contract import ROW_NUMBER, ExtractKind

JURISDICTION = "UK"
ROOT_MARKERS = ("XX",)
WITHHELD = ("N/D", "N/A", "NA")
SNAPSHOT_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def header_key(name: str) -> str:
    """Return a header as a match key: lower-case letters and digits only ("Grade (or ...)")."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _keys(header: list[str]) -> set[str]:
    """Return the match keys of a header."""
    return {header_key(name) for name in header}


def recognises_senior(header: list[str]) -> bool:
    """Return whether a header is the organogram's senior-post layout."""
    return {"postuniquereference", "reportstoseniorpost"} <= _keys(header)


def recognises_junior(header: list[str]) -> bool:
    """Return whether a header is the organogram's junior-post (aggregate) layout."""
    return {"reportingseniorpost", "numberofpostsinfte"} <= _keys(header)


def _column(frame: pl.DataFrame, key: str) -> pl.Expr:
    """Return the column whose header has this match key, cleaned; null if the layout lacks it."""
    for name in frame.columns:
        if header_key(name) == key:
            return clean_text(pl.col(name))
    return pl.lit(None, dtype=pl.String)


def clean_text(value: pl.Expr) -> pl.Expr:
    """Return text trimmed, without wrapping single quotes ('Vacant' -> Vacant), empty as null."""
    trimmed = value.str.strip_chars()
    unquoted = trimmed.str.replace(r"^'(.*)'$", "$1").str.strip_chars()
    return pl.when(unquoted == "").then(None).otherwise(unquoted)


def without_withheld(value: pl.Expr) -> pl.Expr:
    """Return a value with "not disclosed" markers (N/D, N/A) as null."""
    return pl.when(value.str.to_uppercase().is_in(WITHHELD)).then(None).otherwise(value)


def snapshot_date(context: AdapterContext) -> str | None:
    """Return the snapshot date in the file name (ISO), else the run's --snapshot-date."""
    found = SNAPSHOT_IN_NAME.search(context.file_name)
    return found.group(1) if found else context.snapshot_date


def agency_code(organisation: pl.Expr) -> pl.Expr:
    """Return an agency code made from its name: upper case, words joined by hyphens."""
    return organisation.str.to_uppercase().str.replace_all(r"[^A-Z0-9]+", "-").str.strip_chars("-")


def occupancy_from_name(name: pl.Expr) -> pl.Expr:
    """Return occupancy read from the Name column: vacant, eliminated, or occupied."""
    lowered = name.str.to_lowercase()
    return (pl.when(lowered == "vacant").then(pl.lit("vacant"))
            .when(lowered == "eliminated").then(pl.lit("eliminated"))
            .when(name.is_not_null()).then(pl.lit("occupied"))
            .otherwise(None))


def senior_to_contract(frame: pl.DataFrame, context: AdapterContext) -> pl.DataFrame:
    """Return senior posts as contract positions rows (text), extras kept under own names."""
    organisation = _column(frame, "organisation")
    reports_to = _column(frame, "reportstoseniorpost")
    name = _column(frame, "name")
    columns = [
        pl.col(ROW_NUMBER),
        pl.lit(snapshot_date(context), dtype=pl.String).alias("snapshot_date"),
        pl.lit(JURISDICTION).alias("jurisdiction"),
        agency_code(organisation).alias("agency_code"),
        organisation.alias("agency_name"),
        _column(frame, "postuniquereference").alias("position_id"),
        _column(frame, "jobtitle").alias("position_title"),
        _column(frame, "gradeorequivalent").alias("classification"),
        pl.when(reports_to.str.to_uppercase().is_in(ROOT_MARKERS)).then(None)
        .otherwise(reports_to).alias("reports_to_position_id"),
        occupancy_from_name(name).alias("occupancy"),
        without_withheld(_column(frame, "fte")).alias("fte"),
        _column(frame, "jobteamfunction").alias("position_description"),
        _column(frame, "unit").alias("unit"),
        _column(frame, "parentdepartment").alias("parent_department"),
        without_withheld(_column(frame, "actualpayfloor")).alias("pay_floor_gbp"),
        without_withheld(_column(frame, "actualpayceiling")).alias("pay_ceiling_gbp"),
        without_withheld(_column(frame, "salarycostofreports")).alias(
            "salary_cost_of_reports_gbp"),
        _column(frame, "professionaloccupationalgroup").alias("professional_group"),
        _column(frame, "notes").alias("notes"),
    ]
    if context.include_names:
        columns.append(without_withheld(name).alias("name"))
    return frame.select(columns)


def junior_to_contract(frame: pl.DataFrame, context: AdapterContext) -> pl.DataFrame:
    """Return junior aggregates as contract positions rows: one row per aggregate, its FTE total."""
    organisation = _column(frame, "organisation")
    return frame.select(
        pl.col(ROW_NUMBER),
        pl.lit(snapshot_date(context), dtype=pl.String).alias("snapshot_date"),
        pl.lit(JURISDICTION).alias("jurisdiction"),
        agency_code(organisation).alias("agency_code"),
        organisation.alias("agency_name"),
        pl.format("JUNIOR-{}", pl.col(ROW_NUMBER)).alias("position_id"),
        _column(frame, "genericjobtitle").alias("position_title"),
        _column(frame, "grade").alias("classification"),
        _column(frame, "reportingseniorpost").alias("reports_to_position_id"),
        without_withheld(_column(frame, "numberofpostsinfte")).alias("aggregate_fte"),
        _column(frame, "unit").alias("unit"),
        _column(frame, "parentdepartment").alias("parent_department"),
        without_withheld(_column(frame, "payscaleminimum")).alias("pay_floor_gbp"),
        without_withheld(_column(frame, "payscalemaximum")).alias("pay_ceiling_gbp"),
        _column(frame, "professionaloccupationalgroup").alias("professional_group"),
        _column(frame, "officeregion").alias("office_region"),
    )


SENIOR = Adapter(name="uk-organogram-senior", kind=ExtractKind.POSITIONS,
                 recognises=recognises_senior, to_contract=senior_to_contract)
JUNIOR = Adapter(name="uk-organogram-junior", kind=ExtractKind.POSITIONS,
                 recognises=recognises_junior, to_contract=junior_to_contract)
