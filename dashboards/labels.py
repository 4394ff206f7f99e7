"""Labels: what a reader sees instead of column names, codes and evidence keys.

Pure functions and tables, no Streamlit: `column_label` names a query's column for a table
header, `evidence_table` turns a flag's evidence (JSON) into labelled rows with units, and
`count_phrase` writes "1 agency" / "3 agencies".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import polars as pl

COLUMN_LABELS = {
    "agency_code": "Agency", "agency": "Agency", "agency_name": "Agency name",
    "jurisdiction": "Jurisdiction", "snapshot_date": "Snapshot", "position_id": "Position",
    "position_title": "Title", "classification": "Classification as published",
    "classification_code": "Classification", "tier": "Band", "stream_code": "Stream",
    "occupancy": "Occupancy", "severity": "Severity", "rule_id": "Rule id", "message": "Finding",
    "rule_name": "Rule",
    "status": "Review status", "reviewed_at": "Reviewed", "magnitude": "Magnitude",
    "count_positions": "Positions", "count_executives": "Executives",
    "count_vacant_executives": "Vacant executive positions", "count_layers": "Layers",
    "count_executive_layers": "Executive layers", "count_managers": "Managers",
    "count_ratings": "SES rated", "count_rows": "Rows", "count_agencies": "Agencies",
    "count_flags": "Flags", "total_fte": "FTE",
    "executives_per_1000_fte": "Executives per 1,000 FTE", "share": "Share", "group": "Group",
    "min_points": "Lowest points", "q1_points": "Lower quartile",
    "median_points": "Median points", "q3_points": "Upper quartile",
    "max_points": "Highest points",
    "span_category": "Direct reports", "rating": "Rating", "dimension": "Rating of",
    "element": "Element", "maturity_level": "Maturity level", "change": "Change",
    "before": "Before", "after": "After", "level": "Level above", "extract_kind": "Extract",
    "source_file": "File", "row_number": "Row", "reason": "Reason", "raw_record": "Row as read",
    "rows_read": "Rows read", "rows_loaded": "Rows loaded", "rows_quarantined": "Rows quarantined",
    "reconciles": "Reconciles", "loaded_at": "Loaded", "superseded_at": "Superseded",
    "notes": "Notes", "sha256_prefix": "SHA-256 (start)", "files": "Files",
    "share_loaded": "Share loaded", "spelling": "Spelling", "column": "Column",
    "determination_id": "Determination", "decision_date": "Decided",
    "determined_classification": "Classification determined",
    "determined_classification_code": "Classification code", "determined_tier": "Band determined",
    "method": "Method", "total_points": "Factor points", "rationale": "Rationale",
    "factor": "Factor", "score": "Score", "evidence_value": "Evidence",
    "expected_score": "Expected score", "expected_low": "Expected from",
    "expected_high": "Expected to", "bin_positions": "Positions behind the expectation",
    "evidence_detail": "Evidence detail", "flags": "Flags", "header_only": "Header only",
    "aggregate_fte": "FTE (junior aggregates)", "count_fte": "FTE",
}
UNIT_SUFFIXES = (  # evidence key ending -> unit
    ("_points", "points"), ("points_outside_held_range", "points"), ("_years", "years"),
    ("_words", "words"), ("_rank", "grade rank"), ("_z", "z-score"), ("_distance", "points"),
    ("_median", "points"), ("_range", "points"), ("median", "points"),
)
UNIT_PREFIXES = (("staff_", "staff"), ("budget_", "dollars"))
FACTOR_UNIT = "score (1 to 7)"
FACTORS = frozenset({"knowledge", "relationships", "judgement_risk", "independence",
                     "strategic_change", "impact", "breadth", "resource_management"})
EVIDENCE_LABELS = {
    "total_points": "Factor points", "held_tier": "Held band", "indicated_tier": "Points indicate",
    "band_range": "Held band's points range", "reports_to": "Reports to",
    "reports_to_tier": "Manager's band", "determined": "Band determined", "z": "z-score",
    "mann_whitney_z": "Mann-Whitney z", "peer_group": "Peer group", "thresholds": "Threshold",
}
EVIDENCE_SCHEMA = {"what": pl.String, "value": pl.String, "unit": pl.String}


def column_label(column: str) -> str:
    """Return a column's header for a reader ("count_positions" -> "Positions")."""
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


def count_phrase(count: int, singular: str, plural: str | None = None) -> str:
    """Return "1 agency" or "3 agencies" (the plural is singular + "s" unless given)."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def evidence_unit(key: str) -> str:
    """Return the unit of an evidence value, by its key ("" when it has none)."""
    if key in FACTORS or key in {"score", "expected_score", "score_every_factor"}:
        return FACTOR_UNIT
    if key.endswith("points") or key == "total_points":
        return "points"
    for prefix, unit in UNIT_PREFIXES:
        if key.startswith(prefix):
            return unit
    for suffix, unit in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return unit
    return ""


def _label(path: tuple[str, ...]) -> str:
    """Return the reader's name of a (possibly nested) evidence key."""
    return " · ".join(EVIDENCE_LABELS.get(key, key.replace("_", " ").capitalize())
                      for key in path)


def _text(value: Any) -> str:
    """Return an evidence value as text: a pair as "a to b", a list comma-separated."""
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(item, int | float) for item in value):
            return f"{value[0]} to {value[1]}"
        return ", ".join(_text(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _flattened(evidence: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Yield (what, value, unit) for every leaf of an evidence object, nested keys joined."""
    for key, value in evidence.items():
        if isinstance(value, dict):
            yield from _flattened(value, (*path, key))
        else:
            yield _label((*path, key)), _text(value), evidence_unit(key)


def evidence_table(evidence: str | None) -> pl.DataFrame:
    """Return a flag's evidence (JSON text) as rows of what, value and unit, in its order."""
    try:
        parsed = json.loads(evidence) if evidence else {}
    except json.JSONDecodeError:
        return pl.DataFrame({"what": ["Evidence"], "value": [evidence], "unit": [""]},
                            schema=EVIDENCE_SCHEMA)
    if not isinstance(parsed, dict):
        parsed = {"evidence": parsed}
    rows = list(_flattened(parsed))
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row")
