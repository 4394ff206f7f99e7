"""What the seeded fixture scripts (tests/rules/<rule>/make_fixture.py) share.

Each script builds its positions and determinations rows from fixed numbers and random.Random(42)
and hands them to write_fixture, which writes positions_2025.csv and determinations_2025.csv
beside the script. Run one as a module from the project folder, for example
`uv run python -m tests.rules.agency_band_drift.make_fixture`.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

Row = dict[str, object]
FACTORS = ("knowledge", "relationships", "judgement_risk", "independence", "strategic_change",
           "impact", "breadth", "resource_management")
POSITION_COLUMNS = ("snapshot_date", "jurisdiction", "agency_code", "agency_name", "position_id",
                    "position_title", "classification", "stream", "occupancy")
DETERMINATION_COLUMNS = ("determination_id", "jurisdiction", "agency_code", "position_id",
                         "decision_date", "determined_classification", "method", "evaluator",
                         *FACTORS)


def spread(rng: random.Random, total: int) -> list[int]:
    """Return eight factor scores (1-7) that add up to total, as even as the total allows."""
    scores = [total // 8] * 8
    for index in rng.sample(range(8), total % 8):
        scores[index] += 1
    return scores


def write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    """Write rows to a CSV file with the given columns."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_fixture(folder: Path, build_rows: Callable[[random.Random], tuple[list[Row], list[Row]]],
                  position_columns: tuple[str, ...] = POSITION_COLUMNS) -> None:
    """Write positions_2025.csv and determinations_2025.csv of the rows built with seed 42."""
    positions, determinations = build_rows(random.Random(42))
    write_csv(folder / "positions_2025.csv", position_columns, positions)
    write_csv(folder / "determinations_2025.csv", DETERMINATION_COLUMNS, determinations)
