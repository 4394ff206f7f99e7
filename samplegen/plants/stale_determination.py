"""Plants of stale_determination: an old only decision, and labels where staff or budget moved."""

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
