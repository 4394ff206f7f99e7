"""Plants of stale_determination: an old only decision, and labels where staff or budget moved or
another plant moved, retitled or reclassified a decided position's line (its own record)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.plant_decisions import DecisionPlants
from samplegen.plant_state import PlantState, candidates, label, take


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Replace a position's decisions with one dated more than 5 years before the latest
    snapshot (but less than 5 years before the earlier one)."""
    state = plants.state
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    made = plants.add([row["uid"]], np.array([plants.clean_total(row["uid"])]),
                      window="stale_decisions", replace=True)
    label(state, "stale_determination", row,
          f"only decision dated {made['decision_date'][0]}, over 5 years before the snapshot")


def label_moved(state: PlantState, first: pl.DataFrame, latest: pl.DataFrame,
                decided: pl.Series) -> None:
    """Label stale_determination where a decided executive position's staff or budget moved
    by more than `stale_moved_share` between the snapshots (restructures, planted moves)."""
    share = float(state.fw.plants["stale_moved_share"])
    stale = {x["uid"] for x in state.labels if x["rule_id"] == "stale_determination"}
    then = first.select("uid", staff_then="staff_managed", budget_then="budget_managed")

    def change(now: str, before: str) -> pl.Expr:
        """Return the share a figure moved, null where it was zero."""
        return (pl.col(now) - pl.col(before)).abs() / pl.when(pl.col(before) > 0).then(
            pl.col(before))

    moved = (latest.filter(pl.col("uid").is_in(decided.implode()))
             .join(then, on="uid", maintain_order="left")
             .with_columns(moved=pl.max_horizontal(change("staff_managed", "staff_then"),
                                                   change("budget_managed", "budget_then")))
             .filter((pl.col("moved") > share) & ~pl.col("uid").is_in(sorted(stale))))
    for row in moved.iter_rows(named=True):
        label(state, "stale_determination", row, f"staff {row['staff_then']:g} -> "
              f"{row['staff_managed']:g} FTE, budget ${row['budget_then']:,.0f} -> "
              f"${row['budget_managed']:,.0f} since the earlier snapshot (moved "
              f"{100 * row['moved']:.0f}%): re-evaluate")


def _decided_before_first(state: PlantState, decisions: pl.DataFrame) -> set[int]:
    """Return the positions whose latest decision as at the latest snapshot is dated on or before
    the earlier snapshot: a change the plants made to the latest snapshot came after it."""
    first, latest = (pl.lit(d).str.to_date() for d in state.snapshots)
    in_force = (decisions.filter(pl.col("decision_date") <= latest)
                .group_by("uid").agg(pl.col("decision_date").max()))
    return set(in_force.filter(pl.col("decision_date") <= first)["uid"].to_list())


def _planted_by(state: PlantState) -> dict[int, str]:
    """Return the rule of the first plant that labelled each position."""
    planted: dict[int, str] = {}
    for entry in state.labels:
        if entry["uid"] is not None:
            planted.setdefault(entry["uid"], entry["rule_id"])
    return planted


def _patched(state: PlantState) -> dict[int, dict[str, Any]]:
    """Return each patched position's changes, merged over the plants that patched it."""
    merged: dict[int, dict[str, Any]] = {}
    for change in state.patches:
        merged.setdefault(change["uid"], {}).update(
            {k: v for k, v in change.items() if k != "uid" and v is not None})
    return merged


def _nearby(state: PlantState, patched: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Return the workforce rows of the patched positions, their managers and direct reports."""
    touched = pl.col("uid").is_in(sorted(patched)) | pl.col("parent_uid").is_in(sorted(patched))
    near = state.union.filter(touched)
    rows = state.union.filter(touched | pl.col("uid").is_in(near["parent_uid"].implode()))
    return {row["uid"]: row for row in rows.select(
        "uid", "position_id", "position_title", "code", "parent_uid", "executive",
        "jurisdiction", "agency_code").iter_rows(named=True)}


def _in_latest(state: PlantState, patched: dict[int, dict[str, Any]]) -> set[tuple[str, str]]:
    """Return (agency, position id) of the positions the patches report to that exist now."""
    assert state.latest is not None, "the latest snapshot is built before the decisions"
    named = sorted({c["reports_to_position_id"] for c in patched.values()
                    if c.get("reports_to_position_id")})
    found = state.latest.filter(pl.col("position_id").is_in(named))
    return set(zip(found["agency_code"].to_list(), found["position_id"].to_list(), strict=True))


def _changes(state: PlantState) -> dict[int, list[str]]:
    """Return, per position, what the positions-side plants changed in its line (their patches):
    moved under another position of the snapshot, retitled, or its manager reclassified."""
    planted, patched = _planted_by(state), _patched(state)
    rows, existing = _nearby(state, patched), _in_latest(state, patched)
    notes: dict[int, list[str]] = {}
    for uid, change in patched.items():
        row, why = rows[uid], planted.get(uid, "a plant")
        new = change.get("reports_to_position_id")
        old = rows[row["parent_uid"]]["position_id"] if row["parent_uid"] in rows else None
        if new and new != old and (row["agency_code"], new) in existing:
            notes.setdefault(uid, []).append(f"{why} moved it from {old} to {new}")
        if change.get("position_title", row["position_title"]) != row["position_title"]:
            notes.setdefault(uid, []).append(f"{why} retitled it '{change['position_title']}'")
        if change.get("code", row["code"]) == row["code"]:
            continue
        for child in (r for r in rows.values() if r["parent_uid"] == uid):
            if "reports_to_position_id" not in patched.get(child["uid"], {}):
                notes.setdefault(child["uid"], []).append(
                    f"{why} reclassified its manager {row['position_id']} {row['code']} -> "
                    f"{change['code']}")
    return notes


def label_restructured(state: PlantState, decisions: pl.DataFrame) -> None:
    """Label stale_determination where a positions-side plant changed a decided executive
    position's line after its decision (the plants' own patches, not the rule's criterion).
    Planted streams are ones the framework lacks (stream_mismatch), which the rule never
    compares: no label."""
    stale = {x["uid"] for x in state.labels if x["rule_id"] == "stale_determination"}
    notes = {uid: said for uid, said in _changes(state).items() if uid not in stale}
    decided = _decided_before_first(state, decisions)
    assert state.latest is not None
    in_latest = set(state.latest.filter(pl.col("uid").is_in(sorted(notes)))["uid"].to_list())
    rows = _nearby(state, {uid: {} for uid in notes})
    for uid, said in notes.items():
        if uid in decided and uid in in_latest and rows[uid]["executive"]:
            label(state, "stale_determination", rows[uid],
                  "; ".join(said) + " after its decision: re-evaluate")
