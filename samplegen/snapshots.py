"""The sample's two snapshots: occupancy, FTE, reporting lines and the figures rolled up the tree.

`staff_managed` is the FTE of every position beneath (direct and indirect; vacant positions
count 0), `budget_managed` the cost of every position in the area (its own included; vacant
positions at full cost) plus the program funds each manages, `locations` the most sites any
position of the area covers. Roll-ups follow `agg_parent`, which is the reporting line except
where a planted defect breaks it (an orphan or a loop member is rolled up as a root).
"""

from __future__ import annotations

import numpy as np
import polars as pl

OCCUPANCY = np.array(["occupied", "acting", "vacant"], dtype=object)
OCCUPANCY_P = {"executive": [0.85, 0.10, 0.05], "staff": [0.88, 0.04, 0.08],
               "new": [0.55, 0.10, 0.35]}
PART_TIME = {"executive": ([1.0, 0.8], [0.97, 0.03]),
             "staff": ([1.0, 0.8, 0.6, 0.4], [0.80, 0.08, 0.07, 0.05])}
KEEP_OCCUPANCY = 0.88  # share of positions whose occupancy is unchanged a year later
MIN_RANK_WITH_FIGURES = 9  # budget, sites and horizon are reported from the sub-SES grade up


def _draw_occupancy(executive: np.ndarray, head: np.ndarray, new: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Return an occupancy per position: heads occupied, new positions often vacant."""
    out = np.empty(len(executive), dtype=object)
    for key, mask in (("executive", executive & ~new), ("staff", ~executive & ~new), ("new", new)):
        out[mask] = rng.choice(OCCUPANCY, int(mask.sum()), p=OCCUPANCY_P[key])
    out[head] = "occupied"
    return out


def _draw_fte(occupancy: np.ndarray, executive: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return an FTE per position: 0 when vacant, 1 when acting, part-time now and then."""
    fte = np.ones(len(occupancy))
    for key, mask in (("executive", executive), ("staff", ~executive)):
        values, p = PART_TIME[key]
        fte[mask] = rng.choice(values, int(mask.sum()), p=p)
    fte[occupancy == "acting"] = 1.0
    fte[occupancy == "vacant"] = 0.0
    return fte


def draw_occupancy(union: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Return the union with occupancy and FTE for the first and the latest snapshot."""
    executive = union["executive"].to_numpy() & (union["layer"].to_numpy() > 0)
    head = union["layer"].to_numpy() == 0
    new = ~union["in_first"].to_numpy()
    first = _draw_occupancy(executive, head, np.zeros_like(new), rng)
    fte_first = _draw_fte(first, executive, rng)
    redraw = _draw_occupancy(executive, head, new, rng)
    keep = (rng.random(union.height) < KEEP_OCCUPANCY) & ~new
    latest = np.where(keep, first, redraw)
    fte_latest = np.where(keep, fte_first, _draw_fte(latest, executive, rng))
    return union.with_columns(
        occupancy_first=pl.Series(first.tolist(), dtype=pl.String), fte_first=pl.Series(fte_first),
        occupancy_latest=pl.Series(latest.tolist(), dtype=pl.String),
        fte_latest=pl.Series(fte_latest))


def snapshot(union: pl.DataFrame, latest: bool, snapshot_date: str) -> pl.DataFrame:
    """Return the positions of one snapshot with occupancy, FTE and reporting line."""
    which = "latest" if latest else "first"
    ids = union.select(parent_uid="uid", reports_to_position_id="position_id")
    return (union.filter(pl.col(f"in_{which}"))
            .rename({f"occupancy_{which}": "occupancy", f"fte_{which}": "fte"})
            .join(ids, on="parent_uid", how="left", maintain_order="left")
            .with_columns(agg_parent=pl.col("parent_uid"),
                          snapshot_date=pl.lit(snapshot_date).str.to_date()))


def _depths(parent: np.ndarray) -> np.ndarray:
    """Return each node's distance from its root, following `parent` (-1 = root; acyclic)."""
    depth = np.zeros(len(parent), dtype=int)
    current = parent.copy()
    while (active := current >= 0).any():
        depth[active] += 1
        current[active] = parent[current[active]]
    return depth


def tree_rollup(parent: np.ndarray, values: np.ndarray, how: str = "sum") -> np.ndarray:
    """Return, per node, the sum (or max) of `values` over the node and everything beneath it."""
    total = values.astype(float).copy()
    depth = _depths(parent)
    combine = np.add.at if how == "sum" else np.maximum.at
    for d in range(int(depth.max(initial=0)), 0, -1):
        nodes = np.flatnonzero(depth == d)
        combine(total, parent[nodes], total[nodes])
    return total


def with_rollups(snap: pl.DataFrame) -> pl.DataFrame:
    """Return the snapshot with staff_managed, budget_managed and locations rolled up."""
    uid = snap["uid"].to_numpy()
    lookup = np.full(int(uid.max()) + 1, -1)
    lookup[uid] = np.arange(len(uid))
    agg = snap["agg_parent"].to_numpy()
    parent = np.where(agg >= 0, lookup[np.clip(agg, 0, None)], -1)
    fte = snap["fte"].to_numpy()
    vacant = (snap["occupancy"] == "vacant").to_numpy()
    own_cost = snap["cost_aud"].to_numpy() * np.where(vacant, 1.0, fte)
    budget = tree_rollup(parent, own_cost + snap["program_funds"].to_numpy())
    figures = pl.col("rank") >= MIN_RANK_WITH_FIGURES
    return snap.with_columns(
        staff_managed=pl.Series(np.round(tree_rollup(parent, fte) - fte, 1)),
        budget_managed=pl.when(figures).then(pl.Series(np.round(budget, -3))),
        locations=pl.when(figures).then(pl.Series(tree_rollup(parent, snap["own_locations"]
                                                              .to_numpy(), "max")).cast(pl.Int64)),
        planning_horizon_years=pl.when(figures).then(pl.col("planning_horizon_years")),
    )
