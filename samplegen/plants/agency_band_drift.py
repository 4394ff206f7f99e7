"""Plants of agency_band_drift: every position of one agency's band re-decided elsewhere."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.plant_decisions import DecisionPlants, band, keep_evidence
from samplegen.plant_state import PlantState, by_uid, label


def reserve(state: PlantState, spec: dict[str, Any]) -> None:
    """Reserve every position of the drifting agency's band for the decision phase."""
    pool = state.union.filter((pl.col("agency_code") == spec["agency"])
                              & (pl.col("tier") == spec["tier"]) & (pl.col("layer") > 0))
    state.used.update(pool["uid"].to_list())


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide every position of the agency's band with totals centred on the band it is
    `like`, at least `margin` beyond its own range; label the agency and each position. The
    evidence-backed factors keep what the evidence bears out (keep_evidence), so the drift's
    evaluator is no lenient one against the evidence: no evaluator_leniency label."""
    state = plants.state
    lo, hi = band(state, spec["tier"])
    target = state.fw.bands[spec["like"]].centre
    start = hi + state.margin
    pool = state.union.filter((pl.col("agency_code") == spec["agency"]) & pl.col("in_latest")
                              & (pl.col("tier") == spec["tier"]) & (pl.col("layer") > 0))
    uids = pool["uid"].to_list()
    q = (state.rng.permutation(len(uids)) + 0.5) / len(uids)
    totals = np.rint(start + q * 2 * (target - start)).astype(int)
    made = plants.add(uids, totals, evaluator=spec["evaluator"])
    plants.added[-1] = keep_evidence(plants, made)
    row = pool.row(0, named=True) | {"uid": None, "position_id": None}
    label(state, "agency_band_drift", row, f"{spec['tier']} totals {totals.min()}-{totals.max()} "
          f"(median {np.median(totals):g}) sit around other agencies' {spec['like']} median",
          classification=spec["tier"])
    for uid, total in zip(uids, totals, strict=True):
        label(state, "band_points_mismatch", by_uid(state, uid),
              f"total {total} above the {spec['tier']} range {lo}-{hi} (agency drift)")
