"""Plants of determination_mismatch: a position reclassified in the extract but not in its
determination (positions side), or a determination of another classification (decisions side)."""

from __future__ import annotations

from typing import Any

import numpy as np

from samplegen.frameworks import spell
from samplegen.plant_decisions import DecisionPlants, keep_evidence
from samplegen.plant_state import PlantState, by_uid, candidates, label, patch, take


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


def on_positions(state: PlantState, spec: dict[str, Any]) -> None:
    """Plant the `reclassified` variant, which changes the latest snapshot."""
    if spec["variant"] == "reclassified":
        _reclassified(state, spec)


def _redetermined(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Re-decide a position with another classification: one band lower with points at least
    `margin` below the held band (`redetermined`), or another code of the same tier."""
    state = plants.state
    agency = state.agency(spec["agency"])
    layers = state.fw.config["ladders"][agency["jurisdiction"]]["layers"]
    row = take(state, candidates(state, agency["code"], "SES2"))
    lo = state.fw.bands["SES2"].min_points
    if spec["variant"] == "redetermined":
        code = next(c for layer in layers for c in layer if state.fw.grade(c).tier == "SES1")
        total = lo - state.margin - 1 - int(state.rng.integers(0, 3))
        label(state, "band_points_mismatch", row, f"held {row['code']}; latest determination "
              f"{code} with total {total}, below the SES2 range")
    else:
        layer = next(layer for layer in layers if row["code"] in layer)
        code = next(c for c in layer if c != row["code"])
        total = plants.clean_total(row["uid"])
    made = plants.add([row["uid"]], np.array([total]), determined_code=code)
    plants.added[-1] = keep_evidence(plants, made)
    label(state, "determination_mismatch", row, f"{spec['variant']}: held {row['code']}, latest "
          f"determination {code}")


def on_decisions(plants: DecisionPlants, spec: dict[str, Any]) -> None:
    """Plant the variants that change the decisions (all but `reclassified`)."""
    if spec["variant"] != "reclassified":
        _redetermined(plants, spec)
