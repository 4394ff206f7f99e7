"""Determination-side plants of the sample: planted decisions and the decisions they replace.

A planted decision is dated in the latest financial year (after the earlier snapshot); where
the position existed at the earlier snapshot its clean decision stays as the older one, so the
earlier snapshot reads clean. Totals and profiles keep clear margins (see plants.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from pipeline.sample_decisions import decision_rows, random_dates
from pipeline.sample_frameworks import Frameworks
from pipeline.sample_plants import PlantState, by_uid, candidates, label, take
from pipeline.sample_scores import LEAN, integer_profile, scores_for

OUTLIER_INSIDE = 2  # an outlier's total sits at least this many points inside its band
EXTREME_FACTORS = ("knowledge", "judgement_risk", "impact", "relationships", "strategic_change")
SMALL_AREA = {"staff_managed": 3.0, "budget_managed": 1_000_000.0}  # high-RM plant targets


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


def _band(state: PlantState, tier: str) -> tuple[int, int]:
    """Return a tier's band as (min, max) points."""
    band = state.fw.bands[tier]
    return band.min_points, band.max_points


def _drift(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide every position of the agency's band with totals centred on the band it is
    `like`, at least `margin` beyond its own range; label the agency and each position."""
    state = plants.state
    lo, hi = _band(state, spec["tier"])
    target = state.fw.bands[spec["like"]].centre
    start = hi + state.margin
    pool = state.union.filter((pl.col("agency_code") == spec["agency"]) & pl.col("in_latest")
                              & (pl.col("tier") == spec["tier"]) & (pl.col("layer") > 0))
    uids = pool["uid"].to_list()
    q = (state.rng.permutation(len(uids)) + 0.5) / len(uids)
    totals = np.rint(start + q * 2 * (target - start)).astype(int)
    made = plants.add(uids, totals, evaluator=spec["evaluator"])
    plants.added[-1] = _keep_evidence(plants, made)
    row = pool.row(0, named=True) | {"uid": None, "position_id": None}
    label(state, "agency_band_drift", row, f"{spec['tier']} totals {totals.min()}-{totals.max()} "
          f"(median {np.median(totals):g}) sit around other agencies' {spec['like']} median",
          classification=spec["tier"])
    label(state, "evaluator_leniency", row, f"evaluator {spec['evaluator']} made every drifted "
          f"{spec['tier']} decision", classification=spec["tier"])
    for uid, total in zip(uids, totals, strict=True):
        label(state, "band_points_mismatch", by_uid(state, uid),
              f"total {total} above the {spec['tier']} range {lo}-{hi} (agency drift)")


def _pinned(scores: np.ndarray, clean: np.ndarray, totals: np.ndarray, pin: list[int],
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


def _keep_evidence(plants: DecisionPlants, made: pl.DataFrame) -> pl.DataFrame:
    """Return planted decisions whose evidence-led factors keep the scores the position's
    evidence gives at its clean total, the other five factors carrying the planted total
    (breadth and independence take what the five cannot hold; resource management never)."""
    fw = plants.state.fw
    clean = scores_for(plants.exec_rows(made["uid"].to_list()), made["clean_total"].to_numpy(),
                       fw, plants.state.rng).select(fw.factors).to_numpy()
    every = [fw.factor_index(c) for c in LEAN]
    spill = [i for i in every if i != fw.factor_index("resource_management")]
    best = _pinned(made.select(fw.factors).to_numpy(), clean, made["total"].to_numpy(), every,
                   fw, spill)
    return made.with_columns(**{c: pl.Series(best[:, i]) for i, c in enumerate(fw.factors)})


def _band_points(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position at `margin` + 1 points above or below its band."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    lo, hi = _band(state, spec["tier"])
    total = hi + state.margin + 1 if spec["variant"] == "above" else lo - state.margin - 1
    made = plants.add([row["uid"]], np.array([total]))
    plants.added[-1] = _keep_evidence(plants, made)
    label(state, "band_points_mismatch", row, f"total {total} {spec['variant']} the "
          f"{spec['tier']} range {lo}-{hi}")


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


def _outlier(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position in range with a 7-and-1 profile on five factors, keeping the
    evidence-led factors (resource management, breadth, independence) clean."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    profile = _extreme_profile(plants, row["uid"], spec["tier"])
    plants.add([row["uid"]], np.array([profile.sum()]), profile=profile)
    text = ", ".join(f"{c}={profile[i]}" for i, c in enumerate(state.fw.factors))
    label(state, "within_band_outlier", row, f"total {profile.sum()} in range; {text}")


def _resource(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position (same total) with resource management at the top score on a tiny
    area (`high`) or at the bottom on the agency's largest area of the tier (`low`), the other
    factors moving evenly to keep the total."""
    state = plants.state
    fw = state.fw
    if spec["variant"] == "high":
        small = (pl.col("staff_managed") <= SMALL_AREA["staff_managed"]) & (
            pl.col("budget_managed") <= SMALL_AREA["budget_managed"])
        pool = candidates(state, spec["agency"], spec["tier"], specialist=True, frame=state.latest)
        row, score = take(state, pool.filter(small)), fw.score_max
    else:
        pool = candidates(state, spec["agency"], spec["tier"], frame=state.latest)
        row, score = take(state, pool, largest="staff_managed"), fw.score_min
    rm = fw.factor_index("resource_management")
    total = plants.clean_total(row["uid"])
    clean = plants.profile(row["uid"], total)
    wanted = clean.copy()
    wanted[rm] = score
    profile = _pinned(clean[None, :], wanted[None, :], np.array([total]), [rm], fw)[0]
    plants.add([row["uid"]], np.array([total]), profile=profile)
    label(state, "resource_evidence_mismatch", row,
          f"resource_management {score} with staff_managed {row['staff_managed']:g} FTE and "
          f"budget_managed ${row['budget_managed']:,.0f}")


def _workload(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position (clean scores) with a rationale resting on workload or volume."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    phrases = state.fw.phrases["rationale"]["workload"]
    reason = phrases[sum(x["rule_id"] == "workload_rationale" for x in state.labels) % len(phrases)]
    plants.add([row["uid"]], np.array([plants.clean_total(row["uid"])]), reason=reason)
    label(state, "workload_rationale", row, f"rationale: {reason}")


def _stale(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Replace a position's decisions with one dated more than 5 years before the latest
    snapshot (but less than 5 years before the earlier one)."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    made = plants.add([row["uid"]], np.array([plants.clean_total(row["uid"])]),
                      window="stale_decisions", replace=True)
    label(state, "stale_determination", row,
          f"only decision dated {made['decision_date'][0]}, over 5 years before the snapshot")


def _missing(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Remove every decision of a new SES1, an existing SES1 or (WA) the CEO."""
    state = plants.state
    if spec["variant"] == "head":
        row = state.union.row(by_predicate=(pl.col("agency_code") == spec["agency"])
                              & (pl.col("layer") == 0), named=True)
        state.used.add(row["uid"])
    else:
        pool = candidates(state, spec["agency"], "SES1", both=spec["variant"] == "existing")
        row = take(state, pool)
    plants.removed.add(row["uid"])
    present = tuple(d for d, flag in zip(state.snapshots, ("in_first", "in_latest"), strict=True)
                    if row[flag])
    label(state, "missing_determination", row, f"{spec['variant']} executive position with no "
          "determination", snapshots=present)


def _mismatch(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position with another classification: one band lower with points at least
    `margin` below the held band (`redetermined`), or another code of the same tier."""
    state = plants.state
    agency = state.agency(spec["agency"])
    layers = state.fw.config["ladders"][agency["jurisdiction"]]["layers"]
    row = take(state, candidates(state, agency["code"], "SES2"))
    lo = state.fw.bands["SES2"].min_points
    if spec["variant"] == "redetermined":
        code = next(c for layer in layers for c in layer if state.fw.grade(c).tier == "SES1")
        total = lo - state.margin - 1 - int(state.rng.integers(0, 3))
        label(state, "band_points_mismatch", row, f"held {row['code']}; latest determination "
              f"{code} with total {total}, below the SES2 range")
    else:
        layer = next(layer for layer in layers if row["code"] in layer)
        code = next(c for c in layer if c != row["code"])
        total = plants.clean_total(row["uid"])
    made = plants.add([row["uid"]], np.array([total]), determined_code=code)
    plants.added[-1] = _keep_evidence(plants, made)
    label(state, "determination_mismatch", row, f"{spec['variant']}: held {row['code']}, latest "
          f"determination {code}")


def _twins(plants: DecisionPlants) -> None:
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


def plant_decisions(state: PlantState, execs: pl.DataFrame, clean: pl.DataFrame) -> pl.DataFrame:
    """Return the decisions with every determination-side plant of plants.toml applied."""
    handlers: dict[str, Callable[[DecisionPlants, dict[str, Any]], None]] = {
        "agency_band_drift": _drift, "band_points_mismatch": _band_points,
        "within_band_outlier": _outlier, "resource_evidence_mismatch": _resource,
        "workload_rationale": _workload, "stale_determination": _stale,
        "missing_determination": _missing, "determination_mismatch": _mismatch}
    plants = DecisionPlants(state, execs, clean)
    for uid, limit in state.caps.items():
        plants.cap(uid, limit)
    for spec in state.fw.plants["plants"]:
        if spec["rule"] in handlers and spec.get("variant") != "reclassified":
            handlers[spec["rule"]](plants, spec)
    _twins(plants)
    return plants.result()
