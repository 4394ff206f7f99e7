"""The planted defects, one module per rule of sql/rules/ (plants.toml lists each plant).

Positions-side plants change the latest snapshot, decision-side plants the determinations,
rating plants the performance ratings; each runs in the order plants.toml lists it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import PlantState
from samplegen.plants import (
    agency_band_drift,
    band_points_mismatch,
    behaviour_outcome_offset,
    determination_mismatch,
    evaluator_leniency,
    hierarchy_inversion,
    missing_determination,
    orphan_reports_to,
    reporting_cycle,
    resource_evidence_mismatch,
    stale_determination,
    stream_mismatch,
    within_band_outlier,
    workload_rationale,
)

POSITION_PLANTS: dict[str, Callable[[PlantState, dict[str, Any]], None]] = {
    "hierarchy_inversion": hierarchy_inversion.on_positions,
    "orphan_reports_to": orphan_reports_to.on_positions,
    "reporting_cycle": reporting_cycle.on_positions,
    "stream_mismatch": stream_mismatch.on_positions,
    "determination_mismatch": determination_mismatch.on_positions,
}
DECISION_PLANTS: dict[str, Callable[[DecisionPlants, dict[str, Any]], None]] = {
    "agency_band_drift": agency_band_drift.on_decisions,
    "band_points_mismatch": band_points_mismatch.on_decisions,
    "within_band_outlier": within_band_outlier.on_decisions,
    "resource_evidence_mismatch": resource_evidence_mismatch.on_decisions,
    "workload_rationale": workload_rationale.on_decisions,
    "stale_determination": stale_determination.on_decisions,
    "missing_determination": missing_determination.on_decisions,
    "determination_mismatch": determination_mismatch.on_decisions,
    "evaluator_leniency": evaluator_leniency.on_decisions,
}
label_moved = stale_determination.label_moved
plant_performance = behaviour_outcome_offset.on_ratings


def plant_positions(state: PlantState) -> None:
    """Run every positions-side plant of plants.toml, drift reservations first."""
    specs = state.fw.plants["plants"]
    for spec in specs:
        if spec["rule"] == "agency_band_drift":
            agency_band_drift.reserve(state, spec)
    for spec in specs:
        if spec["rule"] in POSITION_PLANTS:
            POSITION_PLANTS[spec["rule"]](state, spec)


def plant_decisions(state: PlantState, execs: pl.DataFrame, clean: pl.DataFrame) -> pl.DataFrame:
    """Return the decisions with every determination-side plant of plants.toml applied."""
    plants = DecisionPlants(state, execs, clean)
    for uid, limit in state.caps.items():
        plants.cap(uid, limit)
    for spec in state.fw.plants["plants"]:
        if spec["rule"] in DECISION_PLANTS:
            DECISION_PLANTS[spec["rule"]](plants, spec)
    workload_rationale.twins(plants)
    return plants.result()
