"""Rows the loader must quarantine, kept in their own files so the main extracts stay clean.

positions_defects.csv and determinations_defects.csv hold one defect per row (a month-first
date, an FTE above 1, a negative budget, a blank id, a duplicate id, a factor score off the
scale); expected_quarantine.csv lists them. Both copies of the duplicated id are listed (which
copy is right cannot be told); the first is a vacant (0 FTE) position under a real manager, so
no roll-up would change if a loader kept it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from samplegen.write import DETERMINATION_HEAD, POSITION_COLUMNS

POSITIONS_FILE = "positions_defects.csv"
DETERMINATIONS_FILE = "determinations_defects.csv"


def _position_rows(manager: dict[str, Any], latest: str) -> list[tuple[dict[str, Any], str, str]]:
    """Return (row, column, note) for each planted positions defect."""
    base = {"snapshot_date": latest, "jurisdiction": manager["jurisdiction"],
            "agency_code": manager["agency_code"], "agency_name": manager["agency_name"],
            "position_title": "Project Officer", "classification": "APS 4", "stream": "",
            "reports_to_position_id": manager["position_id"], "occupancy": "vacant", "fte": "0",
            "staff_managed": "0", "budget_managed": "", "locations": "",
            "planning_horizon_years": "", "position_description": "Vacant project officer role."}
    month_first = "12/31/2024"
    return [
        (base | {"position_id": "Q0001"}, "position_id",
         "duplicate position_id within agency and snapshot (first copy)"),
        (base | {"position_id": "Q0001", "occupancy": "occupied", "fte": "1"}, "position_id",
         "duplicate position_id within agency and snapshot (second copy)"),
        (base | {"position_id": "Q0002", "snapshot_date": month_first}, "snapshot_date",
         f"month-first date {month_first}: month 31 when read day-first"),
        (base | {"position_id": "Q0003", "occupancy": "occupied", "fte": "1.5"}, "fte",
         "fte 1.5 is above 1.0"),
        (base | {"position_id": "Q0004", "classification": "EL2", "budget_managed": "-250000"},
         "budget_managed", "negative budget"),
        (base | {"position_id": ""}, "position_id", "blank position_id"),
    ]


def _determination_rows(manager: dict[str, Any], factors: tuple[str, ...]
                        ) -> list[tuple[dict[str, Any], str, str]]:
    """Return (row, column, note) for each planted determinations defect."""
    base = {"jurisdiction": manager["jurisdiction"], "agency_code": manager["agency_code"],
            "position_id": "Q0009", "decision_date": "2023-03-14",
            "determined_classification": "SES Band 1", "method": "APS SES WLS",
            "evaluator": "E01", **dict.fromkeys(factors, "3"), "total_points": "",
            "rationale": "Leads a small branch."}
    return [
        (base | {"determination_id": "DEFECT-1", factors[0]: "9"}, factors[0],
         "factor score 9 is off the 1-7 scale"),
        (base | {"determination_id": "DEFECT-2", "decision_date": "12/31/2024"},
         "decision_date", "month-first date 12/31/2024"),
    ]


def write_defects(out_dir: Path, latest: pl.DataFrame, factors: tuple[str, ...]
                  ) -> tuple[dict[str, int], int]:
    """Write the defect files and expected_quarantine.csv; return rows per file and the
    number of rows expected in quarantine."""
    manager = latest.filter((pl.col("jurisdiction") == "APS") & (pl.col("code") == "EL1")
                            ).sort("position_id").row(0, named=True)
    latest_date = manager["snapshot_date"].isoformat()
    files = {POSITIONS_FILE: (_position_rows(manager, latest_date), POSITION_COLUMNS),
             DETERMINATIONS_FILE: (_determination_rows(manager, factors),
                                   [*DETERMINATION_HEAD, *factors, "total_points", "rationale"])}
    expected, counts = [], {}
    for name, (rows, columns) in files.items():
        pl.DataFrame([r for r, _, _ in rows], schema=dict.fromkeys(columns, pl.String)).write_csv(
            out_dir / name)
        counts[name] = len(rows)
        expected += [{"source_file": name, "row_number": i, "column": column, "note": note}
                     for i, (_, column, note) in enumerate(rows, start=1)]
    pl.DataFrame(expected).write_csv(out_dir / "expected_quarantine.csv")
    return counts, len(expected)
