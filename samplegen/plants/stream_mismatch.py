"""Plants of stream_mismatch: a stream the jurisdiction's framework lacks."""

from __future__ import annotations

from typing import Any

from samplegen.plant_state import PlantState, candidates, label, patch, take


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant a stream that the jurisdiction's framework does not have."""
    row = take(state, candidates(state, spec["agency"], spec["tier"]))
    patch(state, row["uid"], stream=spec["stream"])
    label(state, "stream_mismatch", row,
          f"stream '{spec['stream']}' is not a {row['jurisdiction']} stream")
