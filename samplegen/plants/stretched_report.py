"""Plants of stretched_report: a position that reports past its manager's band to the one above."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, by_uid, candidates, label, leaving_a_span, patch, take


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Re-point a position of the tier to its manager's manager (two bands up in the sample's
    ladders), choosing one whose manager keeps at least two other reports."""
    latest = state.union.filter(pl.col("in_latest"))
    grandparents = latest.select(parent_uid="uid", grandparent_uid="parent_uid",
                                 parent_rank="rank")
    pool = (leaving_a_span(state, candidates(state, spec["agency"], spec["tier"]))
            .join(grandparents, on="parent_uid")
            .filter((pl.col("grandparent_uid") >= 0) & (pl.col("parent_rank") > pl.col("rank"))))
    row = take(state, pool)
    boss = by_uid(state, row["grandparent_uid"])
    patch(state, row["uid"], reports_to_position_id=boss["position_id"], agg_parent=boss["uid"])
    label(state, "stretched_report", row,
          f"{row['code']} reports to {boss['code']} {boss['position_id']}, past its manager's band")
