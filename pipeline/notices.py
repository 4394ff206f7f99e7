"""Notices: what a run tells its user besides the counts, read from the warehouse it built.

- every classification no pattern of data/classifications.toml recognises, with how many rows
  carry it and the first file and row that does (such a row loads, with no code);
- the findings of the consistency rules, counted by severity.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.duck import table_names

SEVERITIES = ("high", "medium", "low")
CODED = (  # staged table, its classification as written, the code staging gave it
    ("positions", "classification", "classification_code"),
    ("determinations", "determined_classification", "determined_classification_code"),
)


@dataclass(frozen=True)
class Unrecognised:
    """A classification spelling that no pattern recognises, as loaded."""

    table: str
    jurisdiction: str | None
    classification: str
    rows: int
    first_file: str
    first_row: int


def unrecognised(connection: duckdb.DuckDBPyConnection) -> tuple[Unrecognised, ...]:
    """Return every loaded classification with no code, most rows first."""
    tables = set(table_names(connection))
    found: list[Unrecognised] = []
    for table, written, code in CODED:
        if table not in tables:
            continue
        rows = connection.execute(
            f"select jurisdiction, {written}, count(*),"
            f" arg_min(source_file, (source_file, row_number)), min_by(row_number,"
            f" (source_file, row_number)) from {table}"
            f" where {written} is not null and {code} is null"
            f" group by all order by count(*) desc, 2").fetchall()
        found += [Unrecognised(table, *row) for row in rows]
    return tuple(found)


def findings_by_severity(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return the number of findings of each severity (high, medium, low: every one, even 0)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    if "flags" in table_names(connection):
        counts.update(connection.execute(
            "select severity, count(*) from flags group by severity").fetchall())
    return counts


def notice_lines(unknown: tuple[Unrecognised, ...], findings: dict[str, int] | None) -> list[str]:
    """Return the notices as the run summary prints them, one per line."""
    lines = [f"unrecognised classification '{each.classification}' ({each.jurisdiction or '-'}"
             f" {each.table}): {each.rows:,} row{'s' if each.rows != 1 else ''}, first in"
             f" {each.first_file} row {each.first_row}; loaded without a code: add a pattern"
             " to data/classifications.toml and run again" for each in unknown]
    if findings is not None:
        counted = ", ".join(f"{count:,} {severity}" for severity, count in findings.items())
        lines.append(f"findings: {sum(findings.values()):,} ({counted})")
    return lines
