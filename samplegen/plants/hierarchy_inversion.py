"""Plants of hierarchy_inversion: a reversed or compressed reporting line."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, candidates, label, patch, take


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a reversed (SES2 under SES1) or compressed (SES1 under SES1) reporting line."""
    agency = spec["agency"]
    upper = "SES2" if spec["variant"] == "reversed" else "SES1"
    child = take(state, candidates(state, agency, upper))
    pool = candidates(state, agency, "SES1").filter(pl.col("parent_uid") != child["uid"])
    boss = take(state, pool)
    patch(state, child["uid"], reports_to_position_id=boss["position_id"], agg_parent=boss["uid"])
    label(state, "hierarchy_inversion", child,
          f"{spec['variant']}: {child['code']} reports to {boss['code']} {boss['position_id']}")
