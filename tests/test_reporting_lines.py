"""Reporting lines of any length: a loop of 1,000 positions (and one of 41, one past the old
depth limit) is flagged whole, and a chain of 10,000 levels counts 10,000 layers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from pipeline.run import run_pipeline

SNAPSHOT = "2025-06-30"
CHAIN, LOOP, SHORT_LOOP = 10_000, 1_000, 41
COLUMNS = ("snapshot_date", "jurisdiction", "agency_code", "agency_name", "position_id",
           "position_title", "classification", "reports_to_position_id", "occupancy")


def row(agency: str, position: str, reports_to: str | None) -> dict[str, str]:
    """Return one VPS position row of the extract."""
    return {"snapshot_date": SNAPSHOT, "jurisdiction": "VPS", "agency_code": agency,
            "agency_name": f"Agency {agency}", "position_id": position,
            "position_title": f"Officer {position}", "classification": "VPS6",
            "reports_to_position_id": reports_to or "", "occupancy": "occupied"}


def extract_rows() -> list[dict[str, str]]:
    """Return a 10,000-level chain (CHN), a 1,000-position loop with a line leading into it
    (LOP) and a 41-position loop (SHL), each agency with a head."""
    rows = [row("CHN", f"C{i:05d}", f"C{i - 1:05d}" if i else None) for i in range(CHAIN)]
    rows.append(row("LOP", "HEAD", None))
    rows += [row("LOP", f"L{i:04d}", f"L{(i + 1) % LOOP:04d}") for i in range(LOOP)]
    rows += [row("LOP", "T1", "L0500"), row("LOP", "T2", "T1")]  # lead into the loop
    rows.append(row("SHL", "HEAD", None))
    rows += [row("SHL", f"S{i:02d}", f"S{(i + 1) % SHORT_LOOP:02d}") for i in range(SHORT_LOOP)]
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a warehouse loaded with the long lines."""
    root = tmp_path_factory.mktemp("lines")
    (root / "input").mkdir()
    with (root / "input" / "positions_lines.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(extract_rows())
    run_pipeline(root / "input", root / "w.duckdb")
    return root / "w.duckdb"


def test_a_loop_of_any_length_is_flagged_position_by_position(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        flags = connection.execute(
            "select agency_code, position_id, message, evidence from flags"
            " where rule_id = 'reporting_cycle'").fetchall()
    flagged = {(agency, position) for agency, position, _, _ in flags}
    assert flagged == {("LOP", f"L{i:04d}") for i in range(LOOP)} | {
        ("SHL", f"S{i:02d}") for i in range(SHORT_LOOP)}
    by_position = {position: (message, json.loads(evidence)) for _, position, message, evidence
                   in flags}
    message, evidence = by_position["L0998"]
    assert evidence["loop_length"] == LOOP
    assert evidence["loop"][:3] == ["L0998", "L0999", "L0000"]
    assert len(evidence["loop"]) == evidence["path_positions"] + 1
    assert "in a loop of 1000 positions: L0998 reports to L0999 reports to L0000" in message
    assert by_position["S40"][1]["loop_length"] == SHORT_LOOP


def test_a_chain_of_ten_thousand_levels_has_ten_thousand_layers(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        layers = dict(connection.execute(
            "select agency_code, count_layers from agency_structure").fetchall())
    assert layers["CHN"] == CHAIN
    assert layers["LOP"] == 1  # only the head reaches a top; the loop and its lead-in do not
    assert layers["SHL"] == 1
