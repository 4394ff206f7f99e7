"""Plants of workload_rationale: rationales resting on workload, and twins that set it aside."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import candidates, label, take


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position (clean scores) with a rationale resting on workload or volume."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    phrases = state.fw.phrases["rationale"]["workload"]
    reason = phrases[sum(x["rule_id"] == "workload_rationale" for x in state.labels) % len(phrases)]
    plants.add([row["uid"]], np.array([plants.clean_total(row["uid"])]), reason=reason)
    label(state, "workload_rationale", row, f"rationale: {reason}")


def twins(plants: DecisionPlants) -> None:
    """Give a few clean latest decisions a rationale that mentions volume only to set it aside."""
    state = plants.state
    phrases = state.fw.phrases["rationale"]["dismissive"]
    pool = plants.execs.filter(pl.col("in_first") & pl.col("in_latest")
                               & ~pl.col("uid").is_in(sorted(state.used)))
    count = min(pool.height, int(state.fw.plants["dismissive_twins"]))
    uids = pool["uid"].gather(state.rng.choice(pool.height, count, replace=False)).to_list()
    state.used.update(uids)
    twins = pl.DataFrame({"uid": uids, "twin": [phrases[i % len(phrases)] for i in range(count)]})
    latest = pl.col("decision_date") == pl.col("decision_date").max().over("uid")
    plants.clean = (plants.clean.join(twins, on="uid", how="left", maintain_order="left")
                    .with_columns(reason=pl.when(latest & pl.col("twin").is_not_null())
                                  .then(pl.col("twin")).otherwise(pl.col("reason")))
                    .drop("twin"))
