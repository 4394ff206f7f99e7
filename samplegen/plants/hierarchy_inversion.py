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
        boss = take(state, pool.filter(pl.col("code") == child["code"]))
    patch(state, child["uid"], reports_to_position_id=boss["position_id"], agg_parent=boss["uid"])
    label(state, "hierarchy_inversion", child,
          f"{spec['variant']}: {child['code']} reports to {boss['code']} {boss['position_id']}")
