"""Plants of performance_rating_missing: occupied SES positions left without a rating.

Each plant removes ratings of the latest cycle from one agency's rows: `share` of them (never a
rating a behaviour_outcome_offset plant set), or with `share = 1` every one of them (the
agency's return missing while the other APS agencies' are there). The label is the agency's,
at the latest snapshot, the one the latest cycle is read against.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, label, own_draws


def on_ratings(state: PlantState, perf: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """Return the ratings less `share` of the agency's ratings in the latest cycle."""
    cycle = state.fw.config["performance"]["cycles"][-1]
    mine = (pl.col("agency_code") == spec["agency"]) & (pl.col("cycle") == cycle)
    offsets = [row["uid"] for row in state.labels if row["rule_id"] == "behaviour_outcome_offset"]
    pool = perf.filter(mine & ~pl.col("uid").is_in(offsets))
    count = round(spec["share"] * perf.filter(mine).height)
    if count > pool.height or count == 0:
        raise ValueError(f"performance_rating_missing: {spec['agency']} has too few ratings"
                         " that no behaviour_outcome_offset plant rates")
    with own_draws(state, spec):
        dropped = pool.sample(count, seed=int(state.rng.integers(2**31)))["uid"]
    row = perf.filter(mine).row(0, named=True)
    label(state, "performance_rating_missing", {"jurisdiction": row["jurisdiction"],
                                                "agency_code": spec["agency"]},
          f"cycle {cycle}: {count} of {perf.filter(mine).height} ratings removed")
    return perf.filter(~(mine & pl.col("uid").is_in(dropped.implode())))
