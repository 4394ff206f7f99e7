"""Plants of band_points_mismatch: a decision just outside its band."""

from __future__ import annotations

from typing import Any

import numpy as np

from samplegen.plant_decisions import DecisionPlants, band, keep_evidence
from samplegen.plant_state import candidates, label, take


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position at `margin` + 1 points above or below its band."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    lo, hi = band(state, spec["tier"])
    total = hi + state.margin + 1 if spec["variant"] == "above" else lo - state.margin - 1
    made = plants.add([row["uid"]], np.array([total]))
    plants.added[-1] = keep_evidence(plants, made)
    label(state, "band_points_mismatch", row, f"total {total} {spec['variant']} the "
          f"{spec['tier']} range {lo}-{hi}")
