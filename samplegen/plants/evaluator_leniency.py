"""Plants of evaluator_leniency: one evaluator who scores the evidence-backed factors high.

Leniency is read against the evidence (docs/rules.md): the planted evaluator re-decides
`count` executive positions of a jurisdiction, each with its clean profile moved one point up on
resource management, breadth and independence (the factors the extract carries evidence for)
and one point down on knowledge, relationships and judgement, so the total (and the band it
indicates) stays where it was. No single factor moves by two, or to an end of the scale, so no
position becomes a resource_evidence_mismatch or an outlier; the evaluator's determinations
together sit above the evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import label

# (factor raised, factor lowered): the raised ones have evidence, the lowered ones none
PAIRS = (("resource_management", "knowledge"), ("breadth", "relationships"),
         ("independence", "judgement_risk"))


def lenient(profile: np.ndarray, factors: tuple[str, ...], low: int, high: int) -> np.ndarray:
    """Return the profile with each pair moved one point apart where the scale allows."""
    moved = profile.copy()
    for up, down in PAIRS:
        i, j = factors.index(up), factors.index(down)
        if moved[i] < high and moved[j] > low:
            moved[i] += 1
            moved[j] -= 1
    return moved


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide `count` unused executive positions of the jurisdiction by the evaluator."""
    state = plants.state
    pool = state.union.filter(
        (pl.col("jurisdiction") == spec["jurisdiction"]) & pl.col("in_latest")
        & pl.col("in_first") & (pl.col("layer") > 0)
        & pl.col("tier").is_in(["SES1", "SES2"])
        & ~pl.col("uid").is_in(sorted(state.used)))
    chosen = pool[state.rng.permutation(pool.height)[:spec["count"]].tolist()]
    factors = tuple(state.fw.factors)
    for uid in chosen["uid"].to_list():
        total = plants.clean_total(uid)
        # one point short of either end of the scale: no factor moves to an extreme score
        profile = lenient(plants.profile(uid, total), factors, state.fw.score_min + 1,
                          state.fw.score_max - 1)
        plants.add([uid], np.array([total]), profile=profile, evaluator=spec["evaluator"])
        state.used.add(uid)
    row = chosen.row(0, named=True) | {"uid": None, "position_id": None, "agency_code": None}
    label(state, "evaluator_leniency", row, f"evaluator {spec['evaluator']} re-decided "
          f"{chosen.height} positions one point up on each evidence-backed factor")
