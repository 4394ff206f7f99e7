"""Plants of reporting_cycle: a self-report or a two-position loop."""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, by_uid, candidates, label, leaving_a_span, patch, take


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a self-report, or a pair A -> B -> A (B is A's manager and now reports to A)."""
    if spec["variant"] == "self":
        row = take(state, leaving_a_span(state, candidates(state, spec["agency"], spec["tier"])))
        patch(state, row["uid"], reports_to_position_id=row["position_id"], agg_parent=-1)
        label(state, "reporting_cycle", row, "reports to itself")
        return
    managers = leaving_a_span(state, candidates(state, spec["agency"], "SES2"))["uid"]
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
