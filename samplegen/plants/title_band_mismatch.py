"""Plants of title_band_mismatch: a title that is another band's typical title, and its twin.

A plant gives one position of `tier` the title `<title>, <its function>`, where `title` is
the typical title of another band (plants.toml: two bands away, or one). Its clean twin, a
position of `twin_tier` in the same agency, gets the same title: there the title is its own
band's and says nothing. The title is set in both snapshots (a title changed between snapshots
would be another rule's trigger), so the plant is labelled at both.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, candidates, label, own_draws, take


def _retitle(state: PlantState, uid: int, title: str) -> None:
    """Give a position the title `<title>, <function>` in both snapshots."""
    hit = pl.col("uid") == uid
    state.union = state.union.with_columns(position_title=pl.when(hit).then(
        pl.concat_str(pl.lit(title), pl.lit(", "), pl.col("function")))
        .otherwise("position_title"))


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Retitle a position of `tier` and its clean twin of `twin_tier` with `title`."""
    with own_draws(state, spec):
        row = take(state, candidates(state, spec["agency"], spec["tier"]))
        twin = take(state, candidates(state, spec["agency"], spec["twin_tier"]))
    _retitle(state, row["uid"], spec["title"])
    _retitle(state, twin["uid"], spec["title"])
    label(state, "title_band_mismatch", row,
          f"'{spec['title']}' is the typical title of {spec['twin_tier']}, held at {spec['tier']}",
          snapshots=state.snapshots)
