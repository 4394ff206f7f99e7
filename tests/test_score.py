"""Scoring: published band ranges, the latest determination as at a snapshot, calibration."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipeline.contract import FACTOR_COLUMNS, SPECS, ExtractKind
from pipeline.run import run_pipeline

SNAPSHOT = "2025-06-30"
# factor profiles whose totals sit on each side of every published band boundary
PROFILES = {
    "P20": [3, 3, 2, 2, 3, 3, 2, 2],
    "P21": [3, 3, 3, 2, 3, 3, 2, 2],
    "P35": [5, 5, 4, 4, 5, 4, 4, 4],
    "P36": [5, 5, 5, 4, 5, 4, 4, 4],
    "P47": [6, 6, 6, 6, 6, 6, 6, 5],
    "P48": [6, 6, 6, 6, 6, 6, 6, 6],
    "P56": [7, 7, 7, 7, 7, 7, 7, 7],
}


def write_rows(path: Path, kind: ExtractKind, rows: list[dict[str, object]]) -> None:
    """Write rows as a contract CSV of the given kind."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SPECS[kind].columns)
        writer.writeheader()
        writer.writerows(rows)


def position(position_id: str, classification: str, reports_to: str = "HEAD1",
             **extra: object) -> dict[str, object]:
    """Return a VPS position row with sensible defaults."""
    return {"snapshot_date": SNAPSHOT, "jurisdiction": "VPS", "agency_code": "DX",
            "agency_name": "Department X", "position_id": position_id,
            "position_title": f"Director {position_id}", "classification": classification,
            "stream": "Policy", "reports_to_position_id": reports_to, "occupancy": "occupied",
            "fte": 1, **extra}


def determination(determination_id: str, position_id: str, classification: str,
                  scores: list[int], decided: str = "2024-01-10") -> dict[str, object]:
    """Return a determination row with the eight factor scores."""
    return {"determination_id": determination_id, "jurisdiction": "VPS", "agency_code": "DX",
            "position_id": position_id, "decision_date": decided,
            "determined_classification": classification, "method": "VPS WVS",
            "evaluator": "E1", **dict(zip(FACTOR_COLUMNS, scores, strict=True))}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to a warehouse loaded with the scoring fixture."""
    folder = tmp_path_factory.mktemp("scoring")
    positions = [position("HEAD1", "Secretary", reports_to="")]
    positions += [position(pid, "SES-1") for pid in PROFILES]
    positions += [position("LATE", "SES-2"), position("WA1", "SES-1"),
                  position("G6", "VPS 6"), position("G6B", "VPS 6"),
                  {**position("APS1", "SES Band 1"), "jurisdiction": "APS"}]
    determinations = [determination(f"D-{pid}", pid, "SES-1", scores)
                      for pid, scores in PROFILES.items()]
    determinations += [
        determination("D-LATE-1", "LATE", "SES-2", [5] * 8, decided="2023-03-01"),
        determination("D-LATE-2", "LATE", "SES-2", [4] * 8, decided="2025-01-01"),
        determination("D-LATE-3", "LATE", "SES-1", [3] * 8, decided="2025-09-01"),  # after
        determination("D-G6", "G6", "VPS 6", [3, 3, 3, 3, 3, 3, 2, 2]),
        {**determination("D-APS1", "APS1", "SES Band 1", [3] * 8), "jurisdiction": "APS"},
    ]
    write_rows(folder / "positions_x.csv", ExtractKind.POSITIONS, positions)
    write_rows(folder / "determinations_x.csv", ExtractKind.DETERMINATIONS, determinations)
    path = folder / "wh.duckdb"
    run_pipeline(folder, path, today=dt.date(2026, 1, 1))
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize(("position_id", "total", "indicated", "outside", "from_boundary"), [
    ("P20", 20, "BELOW_SES", -1, 0),
    ("P21", 21, "SES1", 0, 0),
    ("P35", 35, "SES1", 0, 0),
    ("P36", 36, "SES2", 1, 0),
    ("P47", 47, "SES2", 12, 0),
    ("P48", 48, "SES3", 13, 0),
    ("P56", 56, "SES3", 21, 8),
])
def test_boundary_totals_indicate_the_published_band(
        warehouse: duckdb.DuckDBPyConnection, position_id: str, total: int, indicated: str,
        outside: int, from_boundary: int) -> None:
    """Totals 20, 21, 35, 36, 47, 48, 56 land in the bands the Victorian tool publishes."""
    row = warehouse.execute(
        "select total_points, indicated_tier, points_outside_held_band, points_from_boundary,"
        " held_min_points, held_max_points from position_scores where position_id = ?",
        [position_id]).fetchall()[0]
    assert row == (total, indicated, outside, from_boundary, 21, 35)


def test_latest_determination_as_at_the_snapshot(warehouse: duckdb.DuckDBPyConnection) -> None:
    """A decision after the snapshot date does not count; the latest before it does."""
    row = warehouse.execute(
        "select determination_id, total_points, count_determinations, indicated_tier"
        " from position_scores where position_id = 'LATE'").fetchall()[0]
    assert row == ("D-LATE-2", 32, 3, "SES1")


def test_unpublished_tiers_get_no_invented_range(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Above Band 3 only the top band's floor is held (no ceiling); below the SES 8-20, inferred."""
    rows = warehouse.execute("select tier, min_points, max_points, is_published, range_basis"
                             " from int_points_bands order by min_points, tier").fetchall()
    assert rows == [("STAFF", 8, 20, False, "below the executive threshold"),
                    ("SUBSES", 8, 20, False, "below the executive threshold"),
                    ("SES1", 21, 35, True, "published"), ("SES2", 36, 47, True, "published"),
                    ("HEAD", 48, None, False, "no published range"),
                    ("SES3", 48, 56, True, "published"),
                    ("SES4", 48, None, False, "no published range")]


def test_every_determination_is_scored_executive_or_not(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """A VPS 6 with a determination is scored (int_position_points) but is no executive position."""
    row = warehouse.execute(
        "select is_executive, total_points, held_min_points, held_max_points, range_basis,"
        " points_outside_held_band, indicated_tier from int_position_points"
        " where position_id = 'G6'").fetchall()
    assert row == [(False, 22, 8, 20, "below the executive threshold", 2, "SES1")]
    assert warehouse.execute("select count(*) from position_scores"
                             " where position_id in ('G6', 'G6B')").fetchall() == [(0,)]
    assert warehouse.execute("select count(*) from int_position_points"
                             " where position_id = 'G6B'").fetchall() == [(0,)]


def test_range_basis_says_where_a_range_is_published(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """VPS ranges are published; an APS position is held against them through the crosswalk."""
    rows = warehouse.execute("select position_id, range_basis from position_scores"
                             " where position_id in ('P21', 'APS1', 'HEAD1')"
                             " order by position_id").fetchall()
    assert rows == [("APS1", "assumed range (crosswalk)"), ("HEAD1", "no published range"),
                    ("P21", "published")]


def test_executive_positions_without_a_determination_have_no_points(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """WA1 has no determination: it is scored with empty points, not dropped."""
    row = warehouse.execute("select determination_id, total_points, indicated_tier"
                            " from position_scores where position_id = 'WA1'").fetchall()
    assert row == [(None, None, None)]


def test_drivers_name_the_factors_furthest_from_the_band(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """P56 holds SES1 (typical factor 3.5): every factor is 7, ties go alphabetically."""
    drivers = warehouse.execute("select drivers from position_scores"
                                " where position_id = 'P56'").fetchall()[0][0]
    assert drivers == "breadth 7, impact 7, independence 7"


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """Return a warehouse where resource management rises with staff managed, 40 positions."""
    folder = tmp_path_factory.mktemp("calibration")
    positions = [position("HEAD1", "Secretary", reports_to="")]
    determinations = []
    for index in range(40):
        staff = 5 * (index + 1)
        score = 2 + index // 10  # 2, 3, 4, 5 in four groups of ten, by staff
        pid = f"C{index:02d}"
        positions.append(position(pid, "SES-1", staff_managed=staff,
                                  budget_managed=staff * 100_000))
        determinations.append(determination(f"D{pid}", pid, "SES-1",
                                            [4, 4, 4, 3, 3, 4, 3, score]))
    write_rows(folder / "positions_c.csv", ExtractKind.POSITIONS, positions)
    write_rows(folder / "determinations_c.csv", ExtractKind.DETERMINATIONS, determinations)
    path = folder / "wh.duckdb"
    run_pipeline(folder, path, today=dt.date(2026, 1, 1))
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def test_calibration_learns_the_scores_from_the_evidence(
        calibrated: duckdb.DuckDBPyConnection) -> None:
    """Five bins of eight positions each; the expected score rises with the evidence."""
    expected = [(1, 8, 2.0, True), (2, 8, 3.0, True), (3, 8, 3.5, True),
                (4, 8, 4.0, True), (5, 8, 5.0, True)]
    for basis in ("absolute", "share"):  # one agency: shares rank like the amounts
        rows = calibrated.execute(
            "select evidence_bin, count_positions, expected_score, is_usable"
            " from evidence_calibration where factor = 'resource_management' and basis = ?"
            " order by evidence_bin", [basis]).fetchall()
        assert rows == expected, basis


def test_share_of_the_agency_is_measured_against_its_largest_unit(
        calibrated: duckdb.DuckDBPyConnection) -> None:
    """The agency's workforce is its largest staff_managed (200), its budget the largest budget."""
    row = calibrated.execute(
        "select share_evidence_detail->>'staff_share', share_evidence_detail->>'agency_staff',"
        " share_evidence_detail->>'agency_budget', share_expected_score from factor_evidence"
        " where position_id = 'C09' and factor = 'resource_management'").fetchall()
    assert row == [("0.25", "200.0", "20000000.0", 3.0)]  # bin 2 (C08-C15) expects 3


def test_factor_evidence_sets_each_score_beside_its_expectation(
        calibrated: duckdb.DuckDBPyConnection) -> None:
    """The position with the most staff scores 5 and its bin expects 5."""
    row = calibrated.execute(
        "select score, expected_score, score_above_expected from factor_evidence"
        " where position_id = 'C39' and factor = 'resource_management'").fetchall()
    assert row == [(5, 5.0, 0.0)]
