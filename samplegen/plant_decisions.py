"""What the determination-side plants share: planted decisions and the decisions they replace.

A planted decision is dated in the latest financial year (after the earlier snapshot); where
the position existed at the earlier snapshot its clean decision stays as the older one, so the
earlier snapshot reads clean. Totals and profiles keep clear margins (see plants.toml).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.decisions import decision_rows, random_dates
from samplegen.frameworks import Frameworks
from samplegen.plant_state import PlantState
from samplegen.scores import LEAN, integer_profile, scores_for


class DecisionPlants:
    """Accumulates planted decisions and removals over the clean decisions."""

    def __init__(self, state: PlantState, execs: pl.DataFrame, clean: pl.DataFrame) -> None:
        """Keep the state, the executives (with evidence) and the clean decisions."""
        totals = clean.group_by("uid").agg(pl.col("clean_total").first())
        self.state, self.execs, self.clean = state, execs.join(
            totals, on="uid", maintain_order="left"), clean
        self.added: list[pl.DataFrame] = []
        self.removed: set[int] = set()
        self.superseded: set[int] = set()

    def exec_rows(self, uids: list[int]) -> pl.DataFrame:
        """Return the executives' rows for `uids`, in that order."""
        order = pl.DataFrame({"uid": uids, "_o": range(len(uids))})
        return self.execs.join(order, on="uid", maintain_order="right").sort("_o").drop("_o")

    def clean_total(self, uid: int) -> int:
        """Return the total of a position's latest clean decision."""
        return int(self.execs.filter(pl.col("uid") == uid)["clean_total"][0])

    def add(self, uids: list[int], totals: np.ndarray, *, window: str = "plant_decisions",
            profile: np.ndarray | None = None, replace: bool = False,
            **columns: Any) -> pl.DataFrame:
        """Add a decision per position (dated in the plants' window) and return the rows."""
        rows = self.exec_rows(uids)
        dates = random_dates(self.state.fw.plants[window], len(uids), self.state.rng)
        made = decision_rows(rows, np.asarray(totals), dates, self.state.fw, self.state.rng)
        if profile is not None:
            made = made.with_columns(total=int(profile.sum()), **{
                c: int(profile[i]) for i, c in enumerate(self.state.fw.factors)})
        made = made.with_columns(**{k: pl.lit(v) for k, v in columns.items()})
        new_only = ~rows["in_first"].to_numpy()
        self.removed.update(np.asarray(uids)[new_only | replace].tolist())
        self.superseded.update(uids)
        self.added.append(made)
        return made

    def profile(self, uid: int, total: int) -> np.ndarray:
        """Return the clean factor profile a position would get for `total`."""
        rows = self.exec_rows([uid])
        scored = scores_for(rows, np.array([total]), self.state.fw, self.state.rng)
        return scored.select(self.state.fw.factors).to_numpy()[0].copy()

    def cap(self, uid: int, limit: int) -> None:
        """Re-score a position's clean decisions so that no total exceeds `limit`."""
        mine = pl.col("uid") == uid
        rows = self.clean.filter(mine)
        totals = np.minimum(rows["total"].to_numpy(), limit)
        rescored = scores_for(rows.drop("total", *self.state.fw.factors), totals, self.state.fw,
                              self.state.rng)
        self.clean = pl.concat([self.clean.filter(~mine), rescored.select(self.clean.columns)])

    def result(self) -> pl.DataFrame:
        """Return the clean decisions less the removed ones and less clean re-decisions made
        after the earlier snapshot on planted positions, plus every planted decision."""
        after_first = pl.col("decision_date") > pl.lit(self.state.snapshots[0]).str.to_date()
        superseded = pl.col("uid").is_in(sorted(self.superseded)) & after_first
        kept = self.clean.filter(~pl.col("uid").is_in(sorted(self.removed)) & ~superseded)
        return pl.concat([kept, *self.added], how="diagonal_relaxed")


def band(state: PlantState, tier: str) -> tuple[int, int]:
    """Return a tier's band as (min, max) points."""
    band = state.fw.bands[tier]
    return band.min_points, band.max_points


def pinned(scores: np.ndarray, clean: np.ndarray, totals: np.ndarray, pin: list[int],
            fw: Frameworks, spill: list[int] | None = None) -> np.ndarray:
    """Return `scores` with the factors `pin` set to their clean values and the other factors
    shifted evenly to keep `totals`; what the others cannot hold on the scale spills onto the
    pinned factors `spill`."""
    rest = [i for i in range(scores.shape[1]) if i not in pin]
    wanted = totals - clean[:, pin].sum(axis=1)
    held = np.clip(wanted, len(rest) * fw.score_min, len(rest) * fw.score_max)
    moved = (scores[:, rest].sum(axis=1) - held) / len(rest)
    out = clean.copy()
    out[:, rest] = integer_profile(scores[:, rest] - moved[:, None], held, fw)
    if spill:
        extra = wanted - held
        out[:, spill] = integer_profile(clean[:, spill] + (extra / len(spill))[:, None],
                                        clean[:, spill].sum(axis=1) + extra, fw)
    return out


def keep_evidence(plants: DecisionPlants, made: pl.DataFrame) -> pl.DataFrame:
    """Return planted decisions whose evidence-led factors keep the scores the position's
    evidence gives at its clean total, the other five factors carrying the planted total
    (breadth and independence take what the five cannot hold; resource management never)."""
    fw = plants.state.fw
    clean = scores_for(plants.exec_rows(made["uid"].to_list()), made["clean_total"].to_numpy(),
                       fw, plants.state.rng).select(fw.factors).to_numpy()
    every = [fw.factor_index(c) for c in LEAN]
    spill = [i for i in every if i != fw.factor_index("resource_management")]
    best = pinned(made.select(fw.factors).to_numpy(), clean, made["total"].to_numpy(), every,
                   fw, spill)
    return made.with_columns(**{c: pl.Series(best[:, i]) for i, c in enumerate(fw.factors)})


