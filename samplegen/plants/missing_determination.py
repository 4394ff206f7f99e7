"""Plants of missing_determination: executive positions with no decision."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import candidates, label, take


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Remove every decision of a new SES1, an existing SES1 or (WA) the CEO."""
    state = plants.state
    if spec["variant"] == "head":
        row = state.union.row(by_predicate=(pl.col("agency_code") == spec["agency"])
                              & (pl.col("layer") == 0), named=True)
        state.used.add(row["uid"])
    else:
        pool = candidates(state, spec["agency"], "SES1", both=spec["variant"] == "existing")
        row = take(state, pool)
    plants.removed.add(row["uid"])
    present = tuple(d for d, flag in zip(state.snapshots, ("in_first", "in_latest"), strict=True)
                    if row[flag])
    label(state, "missing_determination", row, f"{spec['variant']} executive position with no "
          "determination", snapshots=present)
