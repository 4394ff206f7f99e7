"""Clean classification decisions for the sample's executive positions.

Each decision's total sits inside the band range of its classification (from the Victorian work
value tool via the crosswalk tier). Within an agency and band the totals are spread evenly over
the range and handed out in order of the position's evidence, so agency medians sit at the band
centre. The eight factor scores start at total/8 and lean with the evidence: resource
management with staff and budget, breadth with sites, independence with planning horizon
(percentile ranks within the tier), a little noise on the other five, rounded to integers that
still sum to the total.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from samplegen.frameworks import Frameworks

LEAN = {"resource_management": 1.6, "breadth": 1.0, "independence": 0.8}  # points at the extremes
SPECIALIST_KNOWLEDGE = 0.8  # extra knowledge of Professional/Specialist SES1 positions
NOISE = 0.3  # standard deviation of the other factors around the mean
ORDER_NOISE = 0.35  # noise on the evidence order that hands out totals


def integer_profile(values: np.ndarray, totals: np.ndarray, fw: Frameworks) -> np.ndarray:
    """Return integer scores on the scale, nearest to `values` (rows), summing to `totals`."""
    values = np.clip(values, fw.score_min, fw.score_max)
    floor = np.floor(values)
    short = np.rint(totals - floor.sum(axis=1)).astype(int)
    order = np.argsort(-(values - floor), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(values.shape[1]), order.shape), axis=1)
    return _rebalance((floor + (rank < short[:, None])).astype(int), totals, fw)


def _rebalance(scores: np.ndarray, totals: np.ndarray, fw: Frameworks) -> np.ndarray:
    """Return the scores clipped to the scale, with any points lost or gained by clipping
    moved one at a time to the lowest (or from the highest) factor that has room."""
    rows = np.arange(len(scores))
    for _ in range(scores.shape[1] * (fw.score_max - fw.score_min)):
        scores = np.clip(scores, fw.score_min, fw.score_max)
        gap = np.rint(totals - scores.sum(axis=1)).astype(int)
        if not gap.any():
            break
        low = np.where(scores < fw.score_max, scores, fw.score_max + 1).argmin(axis=1)
        high = np.where(scores > fw.score_min, scores, fw.score_min - 1).argmax(axis=1)
        scores[rows[gap > 0], low[gap > 0]] += 1
        scores[rows[gap < 0], high[gap < 0]] -= 1
    return scores


def _unflatten(scores: np.ndarray, fw: Frameworks) -> np.ndarray:
    """Return the scores with any all-equal profile (a halo) moved a point from impact to
    knowledge, where the scale leaves room."""
    flat = (scores == scores[:, :1]).all(axis=1)
    flat &= (scores[:, 0] > fw.score_min) & (scores[:, 0] < fw.score_max)
    scores[flat, fw.factor_index("knowledge")] += 1
    scores[flat, fw.factor_index("impact")] -= 1
    return scores


def factor_scores(totals: np.ndarray, lean: np.ndarray, knowledge: np.ndarray, fw: Frameworks,
                  rng: np.random.Generator) -> np.ndarray:
    """Return (n, 8) factor scores summing to `totals` and leaning with the evidence.

    `lean` holds, per row, the evidence in [-1, 1] for the factors named in LEAN (in that order);
    `knowledge` is an extra lean of the knowledge factor.
    """
    n, k = len(totals), len(fw.factors)
    mean = totals / k
    adj = np.zeros((n, k))
    for j, (column, weight) in enumerate(LEAN.items()):
        adj[:, fw.factor_index(column)] = weight * lean[:, j]
    adj[:, fw.factor_index("knowledge")] += knowledge
    others = [i for i, c in enumerate(fw.factors) if c not in LEAN]
    adj[:, others] += rng.normal(0.0, NOISE, (n, len(others)))
    adj[:, others] -= adj.sum(axis=1, keepdims=True) / len(others)
    room = np.minimum(mean - fw.score_min, fw.score_max - mean)
    peak = np.abs(adj).max(axis=1)
    shrink = np.where(peak > room, room / np.where(peak > 0, peak, 1.0), 1.0)
    return _unflatten(integer_profile(mean[:, None] + adj * shrink[:, None], totals, fw), fw)


def evidence_lean(execs: pl.DataFrame) -> pl.DataFrame:
    """Return the executives with lean_* columns: evidence percentile within tier in [-1, 1]."""
    def pct(column: str) -> pl.Expr:
        """Return the column's percentile rank within its tier, in (0, 1)."""
        return (pl.col(column).rank("average").over("tier") - 0.5) / pl.len().over("tier")

    return execs.with_columns(
        lean_rm=(pct("staff_managed") + pct("budget_managed") - 1.0),
        lean_br=2 * pct("locations") - 1,
        lean_in=2 * pct("planning_horizon_years") - 1,
    )


def band_limits(tiers: pl.Series, fw: Frameworks) -> tuple[np.ndarray, np.ndarray]:
    """Return the minimum and maximum points of each tier's band."""
    low = tiers.replace_strict({t: b.min_points for t, b in fw.bands.items()},
                               return_dtype=pl.Int64)
    high = tiers.replace_strict({t: b.max_points for t, b in fw.bands.items()},
                                return_dtype=pl.Int64)
    return low.to_numpy(), high.to_numpy()


def spread_totals(execs: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> np.ndarray:
    """Return in-band totals spread evenly per (agency, tier), larger for stronger evidence."""
    share = fw.config["determinations"]["spread_share"]
    order = (pl.col("lean_rm") + pl.col("lean_br") + pl.col("lean_in")) / 3
    ranked = execs.with_columns(order=order + pl.Series(rng.normal(0, ORDER_NOISE, execs.height)))
    group = ["agency_code", "tier"]
    q = ((pl.col("order").rank("ordinal").over(group) - 0.5) / pl.len().over(group)).alias("q")
    q = ranked.select(q)["q"].to_numpy()
    low, high = band_limits(execs["tier"], fw)
    centre = (low + high) / 2
    totals = np.rint(centre + (q - 0.5) * (high - low) * share)
    return np.clip(totals, low, high).astype(int)


def scores_for(frame: pl.DataFrame, totals: np.ndarray, fw: Frameworks,
               rng: np.random.Generator) -> pl.DataFrame:
    """Return `frame` with `total` and the eight factor columns scored for `totals`."""
    lean = frame.select("lean_rm", "lean_br", "lean_in").to_numpy()
    knowledge = np.where(frame["specialist"].to_numpy(), SPECIALIST_KNOWLEDGE, 0.0)
    scores = factor_scores(totals.astype(float), lean, knowledge, fw, rng)
    return frame.with_columns(
        total=pl.Series(totals.astype(int)),
        **{c: pl.Series(scores[:, i]) for i, c in enumerate(fw.factors)},
    )
