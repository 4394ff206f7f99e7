"""Framework and configuration data the sample generator reads (never literals in code).

Bands, ranks, tiers and factors come from the project's framework files under `data/`; the
fictional agencies, phrases and planted defects come from `data/sample/`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_DIR = DATA_DIR / "sample"


@dataclass(frozen=True)
class Grade:
    """One normalised classification code and its place in the crosswalk."""

    code: str
    tier: str
    rank: int
    executive: bool


@dataclass(frozen=True)
class Band:
    """The total-points range of one executive tier."""

    tier: str
    min_points: int
    max_points: int

    @property
    def centre(self) -> float:
        """Return the midpoint of the band's range."""
        return (self.min_points + self.max_points) / 2


@dataclass(frozen=True)
class Frameworks:
    """Everything the generator needs from the data files."""

    grades: dict[str, Grade]
    bands: dict[str, Band]
    factors: tuple[str, ...]
    score_min: int
    score_max: int
    config: dict[str, Any]
    phrases: dict[str, Any]
    plants: dict[str, Any]

    def grade(self, code: str) -> Grade:
        """Return the crosswalk row of a normalised code."""
        return self.grades[code]

    def factor_index(self, column: str) -> int:
        """Return the position of a factor column in the determination's factor order."""
        return self.factors.index(column)


def _read_toml(path: Path) -> dict[str, Any]:
    """Return the parsed content of a TOML file."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_frameworks(data_dir: Path = DATA_DIR) -> Frameworks:
    """Return the frameworks, crosswalk and sample configuration read from `data_dir`."""
    crosswalk = _read_toml(data_dir / "crosswalk.toml")
    tool = _read_toml(data_dir / "frameworks" / "vic_work_value_tool.toml")
    sample = data_dir / "sample"
    grades = {
        g["code"]: Grade(g["code"], g["tier"], int(g["rank"]), bool(g["executive"]))
        for g in crosswalk["grades"]
    }
    bands = {
        b["tier"]: Band(b["tier"], int(b["min_points"]), int(b["max_points"]))
        for b in tool["bands"]
    }
    return Frameworks(
        grades=grades,
        bands=bands,
        factors=tuple(f["column"] for f in tool["factors"]),
        score_min=int(tool["scale"]["minimum"]),
        score_max=int(tool["scale"]["maximum"]),
        config=_read_toml(sample / "agencies.toml"),
        phrases=_read_toml(sample / "phrases.toml"),
        plants=_read_toml(sample / "plants.toml"),
    )


def code_family(code: str) -> tuple[str, str]:
    """Return a code's family and grade number: `SES2` -> (`SES`, `2`), `WA-L9` -> (`WA-L`, `9`)."""
    match = re.fullmatch(r"(.*?)(\d*)", code)
    assert match is not None
    return match.group(1), match.group(2)


def spell(code: str, style: dict[str, str]) -> str:
    """Return how an agency of the given spelling style writes a normalised code."""
    family, number = code_family(code)
    return style[family].replace("{n}", number)
