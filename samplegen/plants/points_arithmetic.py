"""Plants of points_arithmetic: a recorded total that is not the sum of the eight scores.

The clean sample records `total_points` on a share of each agency's determinations (the
agency's `total_points_share`), always the sum of the eight scores. A plant takes a position's
latest clean decision and records a total `difference` points off the sum (plants.toml keeps it
well clear of the rule's one-point threshold); the extract writer adds it to the sum. The label
is at every snapshot the decision is in force at.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import candidates, label, own_draws, take

RECORDED_OFFSET = "recorded_offset"  # points the recorded total differs from the sum


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Record the latest clean decision of a position with a total `difference` off the sum."""
    state = plants.state
    decided = plants.clean["uid"].unique().implode()
    with own_draws(state, spec):
        row = take(state, candidates(state, spec["agency"], spec["tier"]).filter(
            pl.col("uid").is_in(decided)))
    mine = plants.clean.filter(pl.col("uid") == row["uid"])
    latest = mine["decision_date"].max()
    hit = (pl.col("uid") == row["uid"]) & (pl.col("decision_date") == latest)
    if RECORDED_OFFSET not in plants.clean.columns:
        plants.clean = plants.clean.with_columns(pl.lit(None, pl.Int64).alias(RECORDED_OFFSET))
    plants.clean = plants.clean.with_columns(
        pl.when(hit).then(pl.lit(spec["difference"])).otherwise(RECORDED_OFFSET)
        .alias(RECORDED_OFFSET))
    first = state.snapshots[0]
    in_force = (state.snapshots if str(latest) <= first else (state.snapshots[1],))
    label(state, "points_arithmetic", row,
          f"recorded total {spec['difference']:+d} points off the sum of the scores",
          snapshots=in_force)
