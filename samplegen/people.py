"""Performance ratings (APS SES Performance Leadership Framework) and agency maturity levels.

One rating row per occupied APS SES position per cycle: each cycle reads the snapshot at its
end. A clean overall rating never exceeds the behaviours rating (outcomes cannot offset
behaviour); planted rows put the overall above it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from samplegen.frameworks import Frameworks

APS = "APS"
HALFWAY_SHARE = 0.2  # share of rows rated halfway between outcomes and behaviours


def _ratings(n: int, fw: Frameworks, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return outcomes, behaviours and a consistent overall rating index per row."""
    perf = fw.config["performance"]
    levels = len(perf["ratings"])
    outcomes = rng.choice(levels, n, p=perf["rating_p"])
    behaviours = rng.choice(levels, n, p=perf["rating_p"])
    halfway = (outcomes + behaviours) // 2
    low = np.where(rng.random(n) < HALFWAY_SHARE, halfway, np.minimum(outcomes, behaviours))
    overall = np.where(outcomes > behaviours, behaviours, low)
    return {"outcomes_rating": outcomes, "behaviours_rating": behaviours, "overall_rating": overall}


def performance(snapshots: dict[str, pl.DataFrame], fw: Frameworks,
                rng: np.random.Generator) -> pl.DataFrame:
    """Return one clean rating row per occupied APS SES position per cycle."""
    ratings = fw.config["performance"]["ratings"]
    parts = []
    for cycle, snap in zip(fw.config["performance"]["cycles"], snapshots.values(), strict=True):
        rows = snap.filter((pl.col("jurisdiction") == APS) & pl.col("executive")
                           & (pl.col("layer") > 0) & (pl.col("occupancy") == "occupied"))
        drawn = _ratings(rows.height, fw, rng)
        parts.append(rows.select("uid", "jurisdiction", "agency_code", "position_id").with_columns(
            cycle=pl.lit(cycle),
            **{k: pl.Series(v).replace_strict(dict(enumerate(ratings)), return_dtype=pl.String)
               for k, v in drawn.items()}))
    return pl.concat(parts)


def maturity(fw: Frameworks, rng: np.random.Generator) -> pl.DataFrame:
    """Return one maturity level per APS agency, framework element and year, rising."""
    perf = fw.config["performance"]
    agencies = [a["code"] for a in fw.config["agencies"] if a["jurisdiction"] == APS]
    elements = perf["elements"]
    lowest, highest = perf["maturity_levels"]
    first = rng.integers(lowest, highest, (len(agencies), len(elements)))
    levels = [first]
    for _ in perf["years"][1:]:
        levels.append(np.minimum(highest, levels[-1] + rng.integers(0, 2, first.shape)))
    grid = pl.DataFrame({"agency_code": agencies}).join(
        pl.DataFrame({"element": elements}), how="cross", maintain_order="left_right").join(
        pl.DataFrame({"year": perf["years"]}), how="cross", maintain_order="left_right")
    stacked = np.stack(levels, axis=-1).reshape(-1)
    return grid.with_columns(jurisdiction=pl.lit(APS), maturity_level=pl.Series(stacked)).select(
        "year", "jurisdiction", "agency_code", "element", "maturity_level").sort(
        "year", "agency_code", "element")
