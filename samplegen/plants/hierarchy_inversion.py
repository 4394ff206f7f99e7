"""Plants of hierarchy_inversion: a reversed or compressed reporting line."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, candidates, label, leaving_a_span, patch, take


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a reversed (SES2 under SES1) or compressed (SES1 under the same classification)
    reporting line; two classifications of one tier (WA Class 1, Class 2) are no compression."""
    agency = spec["agency"]
    upper = "SES2" if spec["variant"] == "reversed" else "SES1"
    child = take(state, leaving_a_span(state, candidates(state, agency, upper)))
    pool = candidates(state, agency, "SES1").filter(pl.col("parent_uid") != child["uid"])
    boss = take(state, pool)
    if spec["variant"] == "compressed" and boss["code"] != child["code"]:
        state.used.discard(boss["uid"])
        same = pool.filter(pl.col("code") == child["code"])
        if same.is_empty():  # that code's other SES1 are used: a child that still has a boss
            state.used.discard(child["uid"])
            child, boss = _compressed_pair(state, agency)
        else:
            boss = take(state, same)
    patch(state, child["uid"], reports_to_position_id=boss["position_id"], agg_parent=boss["uid"])
    label(state, "hierarchy_inversion", child,
          f"{spec['variant']}: {child['code']} reports to {boss['code']} {boss['position_id']}")


def _compressed_pair(state: PlantState, agency: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return an SES1 of the agency and another of the same code that does not report to it
    (a larger sample's other plants may have used up the first pick's peers)."""
    ses1 = candidates(state, agency, "SES1")
    pairs = leaving_a_span(state, ses1).join(ses1, on="code", suffix="_boss").filter(
        (pl.col("uid") != pl.col("uid_boss")) & (pl.col("parent_uid_boss") != pl.col("uid")))
    child = take(state, ses1.filter(pl.col("uid").is_in(pairs["uid"].unique().sort())))
    boss = take(state, ses1.filter(pl.col("uid").is_in(
        pairs.filter(pl.col("uid") == child["uid"])["uid_boss"].sort())))
    return child, boss
