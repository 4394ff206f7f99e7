"""Planted, labelled defects of the sample: the bookkeeping every plant shares.

Each plant of data/sample/plants.toml picks its target at random (seeded) among positions no
other plant uses, changes the latest snapshot (a patch) or the decisions, and writes one label
per snapshot the defect exists in. Positions-side plants only ever change the latest snapshot.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from samplegen.frameworks import Frameworks

EXECUTIVE_MIN_RANK = 10  # the crosswalk rank of SES Band 1 (data/crosswalk.toml)
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
               specialist: bool | None = False, frame: pl.DataFrame | None = None,
               unused: bool = True) -> pl.DataFrame:
    """Return unused positions (any, with `unused` false) of an agency in the latest snapshot
    (not its head) matching the tier; `both` True keeps positions present in both snapshots,
    False only new ones."""
    frame = state.union if frame is None else frame
    keep = (pl.col("agency_code") == agency) & pl.col("in_latest") & (pl.col("layer") > 0)
    if unused:
        keep &= ~pl.col("uid").is_in(sorted(state.used))
    keep &= pl.col("in_first") if both else ~pl.col("in_first")
    if tier is not None:
        keep &= pl.col("tier") == tier
    if specialist is not None:
        keep &= pl.col("specialist") == specialist
    return frame.filter(keep)


def leaving_a_span(state: PlantState, pool: pl.DataFrame) -> pl.DataFrame:
    """Return the rows of `pool` whose manager keeps two or more other reports in the latest
    snapshot once the row moves away: a plant that re-points a reporting line leaves no manager
    with a single report (a one-over-one layer is span_of_one's defect, planted only where meant).
    Managers below the executive are not judged by that rule, so any of their reports may move.
    Where no row qualifies (a sample far smaller than scale 1) the whole pool is returned."""
    moved = sorted(p["uid"] for p in state.patches if p.get("reports_to_position_id") is not None)
    staying = state.union.filter(pl.col("in_latest") & ~pl.col("uid").is_in(moved))
    reports = staying.group_by("parent_uid").agg(span=pl.len())
    managers = state.union.select(parent_uid="uid", manager_rank="rank")
    leaving = (pool.join(reports, on="parent_uid", how="left").join(managers, on="parent_uid",
                                                                    how="left")
               .filter((pl.col("span").fill_null(0) >= 3)
                       | (pl.col("manager_rank").fill_null(0) < EXECUTIVE_MIN_RANK))
               .drop("span", "manager_rank"))
    return pool if leaving.is_empty() else leaving  # a tiny sample (scale 0.2) may have none


def take(state: PlantState, pool: pl.DataFrame, largest: str | None = None) -> dict[str, Any]:
    """Return one position of `pool` (at random, or the one with the most `largest`), now used."""
    if pool.is_empty():
        raise ValueError("the sample has no position left for a planted defect; raise the counts")
    pool = pool.sort("uid")  # joins and group-bys leave rows in no set order: same seed, same pick
    if largest is not None:
        row = pool.sort(largest, descending=True, maintain_order=True).row(0, named=True)
    else:
        row = pool.row(int(state.rng.integers(pool.height)), named=True)
    state.used.add(row["uid"])
    return row


@contextmanager
def own_draws(state: PlantState, spec: dict[str, Any]) -> Iterator[None]:
    """Let a plant draw from a generator of its own, seeded by the sample's seed and its
    plants.toml entry, so that adding the plant leaves every other draw of the sample as it was."""
    shared = state.rng
    entry = zlib.crc32(json.dumps(spec, sort_keys=True).encode())
    state.rng = np.random.default_rng([shared.bit_generator.seed_seq.entropy, entry])
    try:
        yield
    finally:
        state.rng = shared


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
