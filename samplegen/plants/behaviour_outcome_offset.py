"""Plants of behaviour_outcome_offset: an overall rating above the behaviours rating."""

from __future__ import annotations

import polars as pl

from samplegen.plant_state import PlantState, candidates, label, take


def on_ratings(state: PlantState, perf: pl.DataFrame) -> pl.DataFrame:
    """Return the ratings with each behaviour_outcome_offset plant applied to the latest cycle."""
    cycle = state.fw.config["performance"]["cycles"][-1]
    rated = perf.filter(pl.col("cycle") == cycle)["uid"]
    for spec in state.fw.plants["plants"]:
        if spec["rule"] != "behaviour_outcome_offset":
            continue
        pool = candidates(state, spec["agency"], specialist=None).filter(
            pl.col("uid").is_in(rated.implode()))
        row = take(state, pool)
        outcomes, behaviours, overall = spec["ratings"]
        hit = (pl.col("uid") == row["uid"]) & (pl.col("cycle") == cycle)
        perf = perf.with_columns(
            outcomes_rating=pl.when(hit).then(pl.lit(outcomes)).otherwise("outcomes_rating"),
            behaviours_rating=pl.when(hit).then(pl.lit(behaviours)).otherwise("behaviours_rating"),
            overall_rating=pl.when(hit).then(pl.lit(overall)).otherwise("overall_rating"))
        label(state, "behaviour_outcome_offset", row, f"cycle {cycle}: behaviours {behaviours}, "
              f"outcomes {outcomes}, overall {overall}")
    return perf
