"""Plants of determination_creep: a position re-decided higher while its staff and budget stay
flat (its clean twin rises by one point), and labels where another plant's decision did so."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.plant_decisions import DecisionPlants, band, keep_evidence
from samplegen.plant_state import PlantState, candidates, label, take
from samplegen.snapshots import snapshot, with_rollups


def _figures(state: PlantState) -> pl.DataFrame:
    """Return each position's staff and budget at both snapshots (both known, above zero)."""
    first = with_rollups(snapshot(state.union, False, state.snapshots[0]))
    assert state.latest is not None, "the latest snapshot is built before the decisions"
    return (first.select("uid", staff_then="staff_managed", budget_then="budget_managed")
            .join(state.latest.select("uid", "staff_managed", "budget_managed"), on="uid")
            .filter((pl.col("staff_then") > 0) & (pl.col("budget_then") > 0)))


def _moved(now: str, then: str) -> pl.Expr:
    """Return the share a figure moved between the snapshots."""
    return (pl.col(now) - pl.col(then)).abs() / pl.col(then)


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Replace a position's decisions with two: its clean total decided shortly before the
    earlier snapshot, and that total plus `rise` points decided in the latest half-year. The
    position's staff and budget moved by at most `creep_margin_share` (a clear margin); the total
    stays inside the band. A `twin` (a rise of a point or so) is not labelled."""
    state = plants.state
    share, rise = float(state.fw.plants["creep_margin_share"]), int(spec["rise"])
    flat = _figures(state).filter((_moved("staff_managed", "staff_then") <= share)
                                  & (_moved("budget_managed", "budget_then") <= share))
    room = plants.execs.filter(pl.col("clean_total") + rise <= band(state, spec["tier"])[1])
    pool = candidates(state, spec["agency"], spec["tier"]).filter(
        pl.col("uid").is_in(flat["uid"].implode()) & pl.col("uid").is_in(room["uid"].implode()))
    row = take(state, pool)
    total = plants.clean_total(row["uid"])
    earlier = plants.add([row["uid"]], np.array([total]), window="creep_earlier", replace=True)
    plants.added[-1] = keep_evidence(plants, earlier)
    later = plants.add([row["uid"]], np.array([total + rise]), window="creep_later")
    plants.added[-1] = keep_evidence(plants, later)
    if not spec.get("twin", False):
        label(state, "determination_creep", row,
              f"decided {total} on {earlier['decision_date'][0]}, {total + rise} on "
              f"{later['decision_date'][0]}; staff and budget within {100 * share:.0f}%")


def label_raised(plants: DecisionPlants, decisions: pl.DataFrame) -> None:
    """Label determination_creep where another plant's decision (the plants' own record) rose
    by `creep_min_rise` points or more, or to a higher crosswalk rank, over the position's
    decision before it, the two dated
    nearest different snapshots (within `creep_max_days`) and staff and budget within
    `creep_flat_share`: side effects such as a drifting agency's re-decided band."""
    state = plants.state
    cfg = state.fw.plants
    labelled = {x["uid"] for x in state.labels if x["rule_id"] == "determination_creep"}
    planted = pl.concat(plants.added, how="diagonal_relaxed")["uid"].unique()
    first, latest = (pl.lit(d).str.to_date() for d in state.snapshots)
    total = pl.sum_horizontal(state.fw.factors)
    ranks = {code: state.fw.grade(code).rank for code in decisions["determined_code"].unique()
             if code in state.fw.grades}

    def nearest(date: pl.Expr) -> pl.Expr:
        """Return the snapshot nearest a decision date, null beyond creep_max_days."""
        to_first = (date - first).dt.total_days().abs()
        to_latest = (date - latest).dt.total_days().abs()
        days = cfg["creep_max_days"]
        return (pl.when(to_first <= to_latest).then(pl.when(to_first <= days).then(first))
                .otherwise(pl.when(to_latest <= days).then(latest)))

    steps = (decisions.filter(pl.col("uid").is_in(planted.implode())
                              & (pl.col("decision_date") <= latest))
             .with_columns(total=total, rank=pl.col("determined_code").replace_strict(
                 ranks, default=None, return_dtype=pl.Int64)).sort("uid", "decision_date")
             .with_columns(before=pl.col("total").shift().over("uid"),
                           before_rank=pl.col("rank").shift().over("uid"),
                           before_date=pl.col("decision_date").shift().over("uid"))
             .group_by("uid").last()
             .filter(((pl.col("total") - pl.col("before") >= cfg["creep_min_rise"])
                      | (pl.col("rank") > pl.col("before_rank")))
                     & (nearest(pl.col("before_date")) == first)
                     & (nearest(pl.col("decision_date")) == latest)
                     & ~pl.col("uid").is_in(sorted(labelled))))
    flat = _figures(state).filter(
        (_moved("staff_managed", "staff_then") <= cfg["creep_flat_share"])
        & (_moved("budget_managed", "budget_then") <= cfg["creep_flat_share"]))
    rows = state.union.join(steps.select("uid", "total", "before"), on="uid").filter(
        pl.col("uid").is_in(flat["uid"].implode()))
    for row in rows.iter_rows(named=True):
        label(state, "determination_creep", row,
              f"a planted decision raised the total from {row['before']} to {row['total']} "
              f"(or the classification's rank) while staff and budget stayed flat")
