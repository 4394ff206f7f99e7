"""Plants of resource_evidence_mismatch: resource management scored against the area managed."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.plant_decisions import DecisionPlants, pinned
from samplegen.plant_state import candidates, label, take

SMALL_AREA = {"staff_managed": 3.0, "budget_managed": 1_000_000.0}  # high-RM plant targets


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position (same total) with resource management at the top score on a tiny
    area (`high`) or at the bottom on the agency's largest area of the tier (`low`), the other
    factors moving evenly to keep the total."""
    state = plants.state
    fw = state.fw
    if spec["variant"] == "high":
        small = (pl.col("staff_managed") <= SMALL_AREA["staff_managed"]) & (
            pl.col("budget_managed") <= SMALL_AREA["budget_managed"])
        pool = candidates(state, spec["agency"], spec["tier"], specialist=True, frame=state.latest)
        row, score = take(state, pool.filter(small)), fw.score_max
    else:
        pool = candidates(state, spec["agency"], spec["tier"], frame=state.latest)
        row, score = take(state, pool, largest="staff_managed"), fw.score_min
    rm = fw.factor_index("resource_management")
    total = plants.clean_total(row["uid"])
    clean = plants.profile(row["uid"], total)
    wanted = clean.copy()
    wanted[rm] = score
    profile = pinned(clean[None, :], wanted[None, :], np.array([total]), [rm], fw)[0]
    plants.add([row["uid"]], np.array([total]), profile=profile)
    label(state, "resource_evidence_mismatch", row,
          f"resource_management {score} with staff_managed {row['staff_managed']:g} FTE and "
          f"budget_managed ${row['budget_managed']:,.0f}")
