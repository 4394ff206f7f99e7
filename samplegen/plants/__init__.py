"""The planted defects, one module per rule of sql/rules/ (plants.toml lists each plant).

Positions-side plants change the latest snapshot (executive_cohort_growth takes branches out of
the earlier one, title_band_mismatch retitles in both), decision-side plants the determinations,
rating plants the performance ratings, maturity plants the rows the maturity extract leaves
out; each runs in the order plants.toml lists it.
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
    determination_creep,
    determination_mismatch,
    evaluator_leniency,
    executive_cohort_growth,
    hierarchy_inversion,
    maturity_self_assessment_missing,
    missing_determination,
    orphan_reports_to,
    performance_rating_missing,
    points_arithmetic,
    reporting_cycle,
    resource_evidence_mismatch,
    span_of_one,
    stale_determination,
    stream_mismatch,
    stretched_report,
    title_band_mismatch,
    within_band_outlier,
    workload_rationale,
)

POSITION_PLANTS: dict[str, Callable[[PlantState, dict[str, Any]], None]] = {
    "hierarchy_inversion": hierarchy_inversion.on_positions,
    "orphan_reports_to": orphan_reports_to.on_positions,
    "reporting_cycle": reporting_cycle.on_positions,
    "stream_mismatch": stream_mismatch.on_positions,
    "determination_mismatch": determination_mismatch.on_positions,
    "span_of_one": span_of_one.on_positions,
    "stretched_report": stretched_report.on_positions,
    "title_band_mismatch": title_band_mismatch.on_positions,
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
    "points_arithmetic": points_arithmetic.on_decisions,
    "determination_creep": determination_creep.on_decisions,
}
label_moved = stale_determination.label_moved


def plant_positions(state: PlantState) -> None:
    """Run every positions-side plant of plants.toml, drift reservations first, then the
    branches planted as new (so that no other plant's target lies in them)."""
    specs = state.fw.plants["plants"]
    for spec in specs:
        if spec["rule"] == "agency_band_drift":
            agency_band_drift.reserve(state, spec)
    for spec in specs:
        if spec["rule"] == "executive_cohort_growth":
            executive_cohort_growth.on_positions(state, spec)
    for spec in specs:
        if spec["rule"] in POSITION_PLANTS:
            POSITION_PLANTS[spec["rule"]](state, spec)


def plant_performance(state: PlantState, perf: pl.DataFrame) -> pl.DataFrame:
    """Return the ratings with every rating plant of plants.toml applied, offsets first."""
    perf = behaviour_outcome_offset.on_ratings(state, perf)
    for spec in state.fw.plants["plants"]:
        if spec["rule"] == "performance_rating_missing":
            perf = performance_rating_missing.on_ratings(state, perf, spec)
    return perf


def plant_maturity(state: PlantState) -> pl.DataFrame:
    """Return the (year, agency, element) rows every maturity plant of plants.toml leaves out."""
    omitted = [maturity_self_assessment_missing.omitted(state, spec)
               for spec in state.fw.plants["plants"]
               if spec["rule"] == "maturity_self_assessment_missing"]
    return pl.concat([pl.DataFrame(schema=maturity_self_assessment_missing.OMITTED_SCHEMA),
                      *omitted])


def plant_decisions(state: PlantState, execs: pl.DataFrame, clean: pl.DataFrame) -> pl.DataFrame:
    """Return the decisions with every determination-side plant of plants.toml applied."""
    plants = DecisionPlants(state, execs, clean)
    for uid, limit in state.caps.items():
        plants.cap(uid, limit)
    for spec in state.fw.plants["plants"]:
        if spec["rule"] in DECISION_PLANTS:
            DECISION_PLANTS[spec["rule"]](plants, spec)
    workload_rationale.twins(plants)
    decisions = plants.result()
    stale_determination.label_restructured(state, decisions)
    determination_creep.label_raised(plants, decisions)
    return decisions
