"""Plants of missing_determination: executive positions with no decision."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import PlantState, candidates, label, take


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Remove every decision of a new SES1, an existing SES1 or (WA) the CEO."""
    state = plants.state
    if spec["variant"] == "head":
        row = state.union.row(by_predicate=(pl.col("agency_code") == spec["agency"])
                              & (pl.col("layer") == 0), named=True)
        state.used.add(row["uid"])
    else:
        pool = candidates(state, spec["agency"], "SES1", both=spec["variant"] == "existing")
        if pool.is_empty():  # a structure plant re-pointed them all (a larger sample): one of
            pool = _unlabelled(state, spec)  # those, its decision removed, is no conflict
        row = take(state, pool)
    plants.removed.add(row["uid"])
    present = tuple(d for d, flag in zip(state.snapshots, ("in_first", "in_latest"), strict=True)
                    if row[flag])
    label(state, "missing_determination", row, f"{spec['variant']} executive position with no "
          "determination", snapshots=present)


def _unlabelled(state: PlantState, spec: dict[str, Any]) -> pl.DataFrame:
    """Return the agency's SES1 of the variant that no plant has labelled, used or not."""
    labelled = sorted({entry["uid"] for entry in state.labels if entry.get("uid") is not None})
    return candidates(state, spec["agency"], "SES1", both=spec["variant"] == "existing",
                      unused=False).filter(~pl.col("uid").is_in(labelled))
