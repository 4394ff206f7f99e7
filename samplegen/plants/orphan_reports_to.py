"""Plants of orphan_reports_to: a reporting line to a position not in the extract."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, candidates, label, leaving_a_span, patch, take


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a reporting line to a position id that is not in the extract."""
    agency = state.agency(spec["agency"])
    row = take(state, leaving_a_span(state, candidates(state, agency["code"], spec["tier"])))
    gone = state.union.filter((pl.col("agency_code") == agency["code"]) & ~pl.col("in_latest"))
    if spec["variant"] == "abolished" and not gone.is_empty():
        ghost = gone["position_id"][int(state.rng.integers(gone.height))]
        why = "a position abolished since the earlier snapshot"
    else:
        ids = state.union.filter(pl.col("agency_code") == agency["code"])["position_id"]
        digits = ids.str.strip_prefix(agency["id_prefix"])
        number = int(digits.cast(pl.Int64).max()) + 7
        ghost = agency["id_prefix"] + str(number).zfill(digits.str.len_chars().max())
        why = "an id no position has (a typo)"
    patch(state, row["uid"], reports_to_position_id=ghost, agg_parent=-1)
    label(state, "orphan_reports_to", row, f"reports to {ghost}, {why}")
