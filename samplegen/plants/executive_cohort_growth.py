"""Plants of executive_cohort_growth: executive branches new since the earlier snapshot.

The plant takes whole branches headed by a position of `tier` (the position and everything
beneath it) out of the earlier snapshot, as if the agency had created them in the last year,
until the agency's executive cohort at the earlier snapshot is at most the latest cohort /
(1 + `growth`) of plants.toml. Only branches whose executives are all in both snapshots are
taken (a staff position abolished in the year goes with its branch), and a manager keeps at
least two other direct reports in the earlier snapshot, or none (a manager left with one report
would be another rule's finding). It runs before every other plant, so no other plant's target
lies in a branch it takes. The branches stay in the workforce's `in_first` (the decisions are
drawn as before, so adding the plant moves no other draw of the sample); `earlier` leaves them
out of the earlier snapshot.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, label, own_draws

MIN_OTHER_REPORTS = 2  # direct reports a manager keeps in the earlier snapshot
PLANTED_NEW = "new_since_first"  # the union's column marking the branches planted as new


def earlier(union: pl.DataFrame) -> pl.DataFrame:
    """Return the workforce as the earlier snapshot sees it: planted new branches left out."""
    if PLANTED_NEW not in union.columns:
        return union
    return union.with_columns(in_first=pl.col("in_first") & ~pl.col(PLANTED_NEW))


def _branches(agency: pl.DataFrame, tier: str) -> pl.DataFrame:
    """Return the agency's positions with `branch`: the uid of the position of `tier` they are
    in (null above and beside every such position), found one layer at a time."""
    heads = pl.when(pl.col("tier") == tier).then(pl.col("uid"))
    frame = agency.select("uid", "parent_uid", "executive", "in_first", "in_latest",
                          branch=heads)
    while True:
        parents = frame.select(parent_uid="uid", parent_branch="branch")
        joined = frame.join(parents, on="parent_uid", how="left", maintain_order="left")
        updated = joined.with_columns(branch=pl.coalesce("branch", "parent_branch")).drop(
            "parent_branch")
        if updated["branch"].null_count() == frame["branch"].null_count():
            return updated
        frame = updated


def _chosen(branches: pl.DataFrame, roots: pl.DataFrame, used: set[int], excess: int,
            seed: int) -> pl.DataFrame:
    """Return the branches to take until `excess` executives are gone: single branches whose
    manager keeps MIN_OTHER_REPORTS others first, then (where that is too few) every report of
    a manager whose reports are all free branches, taken together (shuffled within each kind)."""
    per_branch = branches.filter(pl.col("branch").is_not_null()).group_by("branch").agg(
        executives=pl.col("executive").sum(),
        free=~pl.col("uid").is_in(sorted(used)).any(),
        whole=(pl.col("in_first") & pl.col("in_latest")).filter(pl.col("executive")).all())
    reports = branches.filter(pl.col("in_first")).group_by("parent_uid").len("reports")
    eligible = (roots.join(per_branch, left_on="uid", right_on="branch")
                .join(reports, on="parent_uid", how="left")
                .filter(pl.col("free") & pl.col("whole"))
                .sort("uid")  # joins keep no order: the same seed shuffles the same rows
                .sample(fraction=1.0, shuffle=True, seed=seed)
                .with_columns(order=pl.int_range(pl.len()),
                              rank=pl.int_range(1, pl.len() + 1).over("parent_uid"),
                              emptied=pl.len().over("parent_uid") == pl.col("reports")))
    units = eligible.with_columns(
        together=pl.col("emptied"),
        unit=pl.when(pl.col("emptied")).then(pl.col("parent_uid"))
        .when(pl.col("reports") - pl.col("rank") >= MIN_OTHER_REPORTS).then(pl.col("uid")))
    taken = (units.filter(pl.col("unit").is_not_null())
             .group_by("together", "unit").agg(pl.col("executives").sum(), pl.col("order").min())
             .sort("together", "order")
             .filter(pl.col("executives").cum_sum() - pl.col("executives") < excess))
    return units.join(taken.select("together", "unit"), on=["together", "unit"]).sort("order")


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Take branches of the agency out of the earlier snapshot until it grew by `growth`."""
    union = state.union
    agency = union.filter(pl.col("agency_code") == spec["agency"])
    latest = int((agency["in_latest"] & agency["executive"]).sum())
    first = int((agency["in_first"] & agency["executive"]).sum())
    excess = first - int(latest / (1 + spec["growth"]))
    branches = _branches(agency, spec["tier"])
    roots = agency.filter((pl.col("tier") == spec["tier"]) & (pl.col("layer") > 0)).select(
        "uid", "parent_uid")
    with own_draws(state, spec):
        seed = int(state.rng.integers(2**31))
    chosen = _chosen(branches, roots, state.used, excess, seed)
    taken = branches.filter(pl.col("branch").is_in(chosen["uid"].implode()))
    if int(chosen["executives"].sum()) < excess:
        raise ValueError(f"executive_cohort_growth: {spec['agency']} has too few free"
                         f" {spec['tier']} branches to grow by {spec['growth']:.0%}")
    state.used.update(taken["uid"].to_list())
    planted = pl.col("uid").is_in(taken["uid"].implode())
    state.union = union.with_columns(
        (pl.col(PLANTED_NEW) | planted if PLANTED_NEW in union.columns else planted)
        .alias(PLANTED_NEW))
    grown = first - int(chosen["executives"].sum())
    head = agency.row(by_predicate=pl.col("layer") == 0, named=True)
    label(state, "executive_cohort_growth", {"jurisdiction": head["jurisdiction"],
                                             "agency_code": spec["agency"]},
          f"{chosen.height} {spec['tier']} branches new since the earlier snapshot:"
          f" {grown} executive positions to {latest} (+{latest / grown - 1:.0%})")
