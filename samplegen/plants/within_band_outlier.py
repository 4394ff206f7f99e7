"""Plants of within_band_outlier: a total in range with an extreme factor profile."""

from __future__ import annotations

from typing import Any

import numpy as np

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import candidates, label, take

OUTLIER_INSIDE = 2  # an outlier's total sits at least this many points inside its band


EXTREME_FACTORS = ("knowledge", "judgement_risk", "impact", "relationships", "strategic_change")


def _extreme_profile(plants: DecisionPlants, uid: int, tier: str) -> np.ndarray:
    """Return the position's clean profile with the first k EXTREME_FACTORS at the top score
    and the rest at the bottom: of the profiles whose total sits at least `OUTLIER_INSIDE`
    points inside the band, the one whose eight scores spread the most."""
    fw = plants.state.fw
    band = fw.bands[tier]
    index = [fw.factor_index(c) for c in EXTREME_FACTORS]
    best, best_spread = None, 0.0
    for base in (band.min_points, round(band.centre)):
        clean = plants.profile(uid, base)
        for k in range(1, len(index)):
            profile = clean.copy()
            profile[index[:k]] = fw.score_max
            profile[index[k:]] = fw.score_min
            inside = band.min_points + OUTLIER_INSIDE <= profile.sum()
            inside &= profile.sum() <= band.max_points - OUTLIER_INSIDE
            if inside and profile.std() > best_spread:
                best, best_spread = profile, float(profile.std())
    if best is None:
        raise ValueError(f"no extreme profile fits the {tier} band")
    return best


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position in range with a 7-and-1 profile on five factors, keeping the
    evidence-led factors (resource management, breadth, independence) clean."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    profile = _extreme_profile(plants, row["uid"], spec["tier"])
    plants.add([row["uid"]], np.array([profile.sum()]), profile=profile)
    text = ", ".join(f"{c}={profile[i]}" for i, c in enumerate(state.fw.factors))
    label(state, "within_band_outlier", row, f"total {profile.sum()} in range; {text}")
