"""Planted, labelled defects of the sample: bookkeeping and the positions-side plants.

Each plant of data/sample/plants.toml picks its target at random (seeded) among positions no
other plant uses, changes the latest snapshot (a patch) or the decisions, and writes one label
per snapshot the defect exists in. Positions-side plants only ever change the latest snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from pipeline.sample_frameworks import Frameworks, spell

PATCH_SCHEMA = {"uid": pl.Int64, "reports_to_position_id": pl.String, "agg_parent": pl.Int64,
                "stream": pl.String, "code": pl.String, "classification": pl.String,
                "tier": pl.String, "rank": pl.Int64, "position_title": pl.String}


@dataclass
class PlantState:
    """What the plants share: the workforce, targets taken, patches and labels so far."""

    fw: Frameworks
    rng: np.random.Generator
    union: pl.DataFrame
    snapshots: tuple[str, str]
    used: set[int] = field(default_factory=set)
    patches: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    caps: dict[int, int] = field(default_factory=dict)
    latest: pl.DataFrame | None = None

    @property
    def margin(self) -> int:
        """Return how many points beyond a band a planted total sits at least."""
        return int(self.fw.plants["band_margin"])

    def agency(self, code: str) -> dict[str, Any]:
        """Return the configuration of an agency."""
        return next(a for a in self.fw.config["agencies"] if a["code"] == code)


def candidates(state: PlantState, agency: str, tier: str | None = None, *, both: bool = True,
               specialist: bool | None = False, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """Return unused positions of an agency in the latest snapshot (not its head) matching the
    tier; `both` True keeps positions present in both snapshots, False only new ones."""
    frame = state.union if frame is None else frame
    keep = (pl.col("agency_code") == agency) & pl.col("in_latest") & (pl.col("layer") > 0)
    keep &= ~pl.col("uid").is_in(sorted(state.used))
    keep &= pl.col("in_first") if both else ~pl.col("in_first")
    if tier is not None:
        keep &= pl.col("tier") == tier
    if specialist is not None:
        keep &= pl.col("specialist") == specialist
    return frame.filter(keep)


def take(state: PlantState, pool: pl.DataFrame, largest: str | None = None) -> dict[str, Any]:
    """Return one position of `pool` (at random, or the one with the most `largest`), now used."""
    if pool.is_empty():
        raise ValueError("the sample has no position left for a planted defect; raise the counts")
    if largest is not None:
        row = pool.sort(largest, descending=True).row(0, named=True)
    else:
        row = pool.row(int(state.rng.integers(pool.height)), named=True)
    state.used.add(row["uid"])
    return row


def by_uid(state: PlantState, uid: int) -> dict[str, Any]:
    """Return the workforce row of a position."""
    return state.union.row(by_predicate=pl.col("uid") == uid, named=True)


def label(state: PlantState, rule: str, row: dict[str, Any], note: str,
          snapshots: tuple[str, ...] | None = None, classification: str | None = None) -> None:
    """Record a label for the position `row` (or its agency when `row` has no uid)."""
    for snapshot in snapshots or (state.snapshots[1],):
        state.labels.append({"rule_id": rule, "snapshot_date": snapshot,
                             "jurisdiction": row["jurisdiction"], "agency_code": row["agency_code"],
                             "uid": row.get("uid"), "position_id": row.get("position_id"),
                             "classification": classification, "note": note})


def patch(state: PlantState, uid: int, **columns: Any) -> None:
    """Record a change to one position of the latest snapshot."""
    state.patches.append({"uid": uid, **columns})


def apply_patches(latest: pl.DataFrame, state: PlantState) -> pl.DataFrame:
    """Return the latest snapshot with every recorded patch applied."""
    if not state.patches:
        return latest
    frame = pl.DataFrame(state.patches, schema=PATCH_SCHEMA)
    return latest.update(frame, on="uid", how="left")


def _reverse_or_compress(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a reversed (SES2 under SES1) or compressed (SES1 under SES1) reporting line."""
    agency = spec["agency"]
    upper = "SES2" if spec["variant"] == "reversed" else "SES1"
    child = take(state, candidates(state, agency, upper))
    pool = candidates(state, agency, "SES1").filter(pl.col("parent_uid") != child["uid"])
    boss = take(state, pool)
    patch(state, child["uid"], reports_to_position_id=boss["position_id"], agg_parent=boss["uid"])
    label(state, "hierarchy_inversion", child,
          f"{spec['variant']}: {child['code']} reports to {boss['code']} {boss['position_id']}")


def _orphan(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a reporting line to a position id that is not in the extract."""
    agency = state.agency(spec["agency"])
    row = take(state, candidates(state, agency["code"], spec["tier"]))
    gone = state.union.filter((pl.col("agency_code") == agency["code"]) & ~pl.col("in_latest"))
    if spec["variant"] == "abolished" and not gone.is_empty():
        ghost = gone["position_id"][int(state.rng.integers(gone.height))]
        why = "a position abolished since the earlier snapshot"
    else:
        ids = state.union.filter(pl.col("agency_code") == agency["code"])["position_id"]
        digits = ids.str.strip_prefix(agency["id_prefix"])
        number = int(digits.cast(pl.Int64).max()) + 7
        ghost = agency["id_prefix"] + str(number).zfill(digits.str.len_chars().max())
        why = "an id no position has (a typo)"
    patch(state, row["uid"], reports_to_position_id=ghost, agg_parent=-1)
    label(state, "orphan_reports_to", row, f"reports to {ghost}, {why}")


def _cycle(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a self-report, or a pair A -> B -> A (B is A's manager and now reports to A)."""
    if spec["variant"] == "self":
        row = take(state, candidates(state, spec["agency"], spec["tier"]))
        patch(state, row["uid"], reports_to_position_id=row["position_id"], agg_parent=-1)
        label(state, "reporting_cycle", row, "reports to itself")
        return
    managers = candidates(state, spec["agency"], "SES2")["uid"]
    a = take(state, candidates(state, spec["agency"], "SES1").filter(
        pl.col("parent_uid").is_in(managers.implode())))
    b = by_uid(state, a["parent_uid"])
    state.used.add(b["uid"])
    patch(state, b["uid"], reports_to_position_id=a["position_id"], agg_parent=-1)
    note = f"loop {a['position_id']} -> {b['position_id']} -> {a['position_id']}"
    label(state, "reporting_cycle", a, note)
    label(state, "reporting_cycle", b, note)
    label(state, "hierarchy_inversion", b, f"reversed: {b['code']} reports to {a['code']} "
          f"{a['position_id']} (the edge that closes the planted loop)")


def _stream(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a stream that the jurisdiction's framework does not have."""
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    patch(state, row["uid"], stream=spec["stream"])
    label(state, "stream_mismatch", row,
          f"stream '{spec['stream']}' is not a {row['jurisdiction']} stream")


def _reclassified(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant an SES1 held as SES2 in the latest extract (moved under its grandparent) while its
    latest determination still says SES1 with points at least `margin` below the SES2 band."""
    agency = state.agency(spec["agency"])
    row = take(state, candidates(state, agency["code"], "SES1"))
    parent = by_uid(state, row["parent_uid"])
    grand = by_uid(state, parent["parent_uid"])
    code = "SES2"
    role = state.fw.phrases["titles"][agency["titles"]][code]
    grade = state.fw.grade(code)
    patch(state, row["uid"], code=code, tier=grade.tier, rank=grade.rank,
          classification=spell(code, state.fw.config["styles"][agency["style"]]),
          position_title=f"{role}, {row['function']}",
          reports_to_position_id=grand["position_id"], agg_parent=grand["uid"])
    state.caps[row["uid"]] = state.fw.bands[grade.tier].min_points - state.margin - 1
    label(state, "determination_mismatch", row,
          "held SES2 in the latest extract; latest determination says SES1")
    label(state, "band_points_mismatch", row,
          f"held SES2; latest determination's points are SES1 points "
          f"(at most {state.caps[row['uid']]})")


def _reserve_drift(state: PlantState, spec: dict[str, Any]) -> None:
    """Reserve every position of the drifting agency's band for the decision phase."""
    pool = state.union.filter((pl.col("agency_code") == spec["agency"])
                              & (pl.col("tier") == spec["tier"]) & (pl.col("layer") > 0))
    state.used.update(pool["uid"].to_list())


def plant_positions(state: PlantState) -> None:
    """Run every positions-side plant of plants.toml, drift reservations first."""
    handlers: dict[str, Callable[[PlantState, dict[str, Any]], None]] = {
        "hierarchy_inversion": _reverse_or_compress, "orphan_reports_to": _orphan,
        "reporting_cycle": _cycle, "stream_mismatch": _stream}
    specs = state.fw.plants["plants"]
    for spec in specs:
        if spec["rule"] == "agency_band_drift":
            _reserve_drift(state, spec)
    for spec in specs:
        if spec["rule"] in handlers:
            handlers[spec["rule"]](state, spec)
        elif spec["rule"] == "determination_mismatch" and spec["variant"] == "reclassified":
            _reclassified(state, spec)


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


def resolve_labels(state: PlantState, snapshots: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Return the labels with each position's normalised classification in that snapshot."""
    held = pl.concat([s.select(snapshot_date=pl.lit(d), uid="uid", held="code")
                      for d, s in snapshots.items()])
    labels = pl.DataFrame(state.labels, schema={
        "rule_id": pl.String, "snapshot_date": pl.String, "jurisdiction": pl.String,
        "agency_code": pl.String, "uid": pl.Int64, "position_id": pl.String,
        "classification": pl.String, "note": pl.String})
    return (labels.join(held, on=["snapshot_date", "uid"], how="left", maintain_order="left")
            .with_columns(classification=pl.coalesce("classification", "held"))
            .select("rule_id", "snapshot_date", "jurisdiction", "agency_code", "position_id",
                    "classification", "note")
            .sort("rule_id", "snapshot_date", "agency_code", "position_id", nulls_last=True))
