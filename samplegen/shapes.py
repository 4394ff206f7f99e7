"""Shapes of the sample: the bundled one, and a public sector of many small agencies.

`sample` is data/sample/agencies.toml as it is: 14 agencies whose size grows with the scale.
`many-agencies` is the shape of a state's public sector: about a thousand agencies of a few
hundred positions each (the 14 agencies of the sample, then copies of them under new codes and
names, every layer shrunk alike), and four evaluators shared by every jurisdiction's
decisions. The row count is the same as the sample's at that scale (about 10,000 x scale
position rows over both snapshots), reached by adding agencies, not by growing them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from samplegen.frameworks import Frameworks

SHAPES = ("sample", "many-agencies")
ROWS_PER_SCALE = 10_000  # position rows (both snapshots) per unit of scale, as the sample's
AGENCY_POSITIONS = 550  # positions of one agency in one snapshot, in the many-agencies shape
SHARED_EVALUATORS = ["E01", "E02", "E03", "E04"]


def _shrunk(counts: list[int], factor: float, keep: list[bool] | None = None) -> list[int]:
    """Return positions per layer multiplied by `factor`, a layer that exists keeping at least
    one and the layers marked in `keep` keeping their count."""
    keep = keep or [False] * len(counts)
    return [base if kept else 0 if base == 0 else max(1, round(base * factor))
            for base, kept in zip(counts, keep, strict=True)]


def _copy(template: dict[str, Any], number: int) -> dict[str, Any]:
    """Return agency `template` as copy `number` under a new code, name and id prefix, every
    layer shrunk alike to about AGENCY_POSITIONS positions."""
    code = f"{template['code']}{number:04d}"
    return {**template, "code": code, "name": f"{template['name']} No. {number}",
            "id_prefix": f"{code}-",
            "counts": _shrunk(template["counts"], AGENCY_POSITIONS / sum(template["counts"])),
            **{key: min(1, template.get(key, 0))
               for key in ("specialists", "new_branches", "abolished_branches")}}


def _planted(template: dict[str, Any], executive: list[bool]) -> dict[str, Any]:
    """Return a sample agency (the planted defects name it) with its executive layers as they
    are and its other layers shrunk to about AGENCY_POSITIONS positions in all."""
    leaders = sum(c for c, e in zip(template["counts"], executive, strict=True) if e)
    staff = sum(template["counts"]) - leaders
    factor = max(AGENCY_POSITIONS - leaders, 0) / max(staff, 1)
    return {**template, "counts": _shrunk(template["counts"], factor, executive)}


def many_agencies(fw: Frameworks, scale: float) -> dict[str, Any]:
    """Return the sample configuration with about 10,000 x scale position rows spread over
    agencies of about AGENCY_POSITIONS positions, and four shared evaluators."""
    config = fw.config
    templates = config["agencies"]
    executive = {name: [fw.grade(codes[0]).executive for codes in ladder["layers"]]
                 for name, ladder in config["ladders"].items()}
    wanted = max(len(templates), round(ROWS_PER_SCALE * scale / (2 * AGENCY_POSITIONS)))
    agencies = [_planted(t, executive[t["jurisdiction"]]) for t in templates]
    agencies += [_copy(templates[i % len(templates)], i) for i in range(len(templates), wanted)]
    ladders = {name: {**ladder, "evaluators": SHARED_EVALUATORS}
               for name, ladder in config["ladders"].items()}
    return {**config, "agencies": agencies, "ladders": ladders}


def shaped(fw: Frameworks, shape: str, scale: float) -> tuple[Frameworks, float]:
    """Return the frameworks with the shape's agencies, and the scale to grow each agency by."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    if shape == "sample":
        return fw, scale
    return replace(fw, config=many_agencies(fw, scale)), 1.0
