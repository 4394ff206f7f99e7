"""The extract contract: extract kinds, their columns, which are required, and their keys.

The contract is ../shared/CONTRACT.md (restated in docs/contract.md). Column *types* and
cleaning rules live in the staging SQL (sql/staging/<kind>.sql); value rules (allowed values,
ranges, uniqueness) live in the Great Expectations suites (expectations/<kind>.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ROW_NUMBER = "row_number"  # a row's position among its file's data rows, 1 = first after header


class ExtractKind(StrEnum):
    """The four kinds of extract, named by their file name prefix."""

    POSITIONS = "positions"
    DETERMINATIONS = "determinations"
    PERFORMANCE = "performance"
    MATURITY = "maturity"


@dataclass(frozen=True)
class ExtractSpec:
    """What one extract kind must and may contain."""

    kind: ExtractKind
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key: tuple[str, ...]
    table: str

    @property
    def columns(self) -> tuple[str, ...]:
        """Return every contract column, required first."""
        return self.required + self.optional


FACTOR_COLUMNS: tuple[str, ...] = (
    "knowledge", "relationships", "judgement_risk", "independence",
    "strategic_change", "impact", "breadth", "resource_management",
)

SPECS: dict[ExtractKind, ExtractSpec] = {
    ExtractKind.POSITIONS: ExtractSpec(
        kind=ExtractKind.POSITIONS,
        required=("snapshot_date", "jurisdiction", "agency_code", "agency_name", "position_id",
                  "position_title", "classification"),
        optional=("stream", "reports_to_position_id", "occupancy", "fte", "staff_managed",
                  "budget_managed", "locations", "planning_horizon_years",
                  "position_description", "aggregate_fte"),
        key=("jurisdiction", "agency_code", "snapshot_date", "position_id"),
        table="positions",
    ),
    ExtractKind.DETERMINATIONS: ExtractSpec(
        kind=ExtractKind.DETERMINATIONS,
        required=("determination_id", "jurisdiction", "agency_code", "position_id",
                  "decision_date", "determined_classification"),
        optional=("method", "evaluator", *FACTOR_COLUMNS, "total_points", "rationale"),
        key=("determination_id",),
        table="determinations",
    ),
    ExtractKind.PERFORMANCE: ExtractSpec(
        kind=ExtractKind.PERFORMANCE,
        required=("cycle", "jurisdiction", "agency_code", "position_id", "outcomes_rating",
                  "behaviours_rating", "overall_rating"),
        optional=(),
        key=("cycle", "jurisdiction", "agency_code", "position_id"),
        table="performance_ratings",
    ),
    ExtractKind.MATURITY: ExtractSpec(
        kind=ExtractKind.MATURITY,
        required=("year", "jurisdiction", "agency_code", "element", "maturity_level"),
        optional=(),
        key=("year", "jurisdiction", "agency_code", "element"),
        table="maturity_assessments",
    ),
}


def kind_of(file_name: str) -> ExtractKind | None:
    """Return the extract kind a file name's prefix declares, or None for other files."""
    lowered = file_name.lower()
    for kind in ExtractKind:
        if lowered.startswith(kind.value):
            return kind
    return None
