"""Plants of span_of_one: an executive left with one direct report (a one-over-one layer)."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, candidates, label, patch, take


def _children(state: PlantState) -> pl.DataFrame:
    """Return each position's number of direct reports in the latest snapshot, by parent uid."""
    return (state.union.filter(pl.col("in_latest"))
            .group_by("parent_uid").agg(reports=pl.len(), report_uids=pl.col("uid")))


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Move every direct report but one of an executive of the tier to a sibling executive (same
    manager, same tier): the executive keeps a single report, the sibling gains the rest."""
    pool = candidates(state, spec["agency"], spec["tier"]).join(
        _children(state), left_on="uid", right_on="parent_uid")
    used = sorted(state.used)
    managers = pool.filter((pl.col("reports") >= spec.get("min_reports", 3))
                           & ~pl.col("report_uids").list.eval(pl.element().is_in(used)).list.any())
    siblings = candidates(state, spec["agency"], spec["tier"])
    managers = managers.filter(pl.col("parent_uid").is_in(siblings["parent_uid"].implode()))
    manager = take(state, managers)
    sibling = take(state, siblings.filter((pl.col("parent_uid") == manager["parent_uid"])
                                          & (pl.col("uid") != manager["uid"])))
    kept, *moved = sorted(manager["report_uids"])
    for uid in moved:
        state.used.add(uid)
        patch(state, uid, reports_to_position_id=sibling["position_id"], agg_parent=sibling["uid"])
    state.used.add(kept)
    note = (f"{len(moved)} of its {manager['reports']} direct reports moved to"
            f" {sibling['position_id']}: one left")
    label(state, "span_of_one", manager, note)
