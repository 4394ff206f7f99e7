"""Write the executive_cohort_growth fixture: agencies whose executive cohort grew, or not.

Run `uv run python -m tests.rules.executive_cohort_growth.make_fixture` to rewrite the CSVs
beside it. Each agency's cohort at each snapshot is fixed below (executives occupied and vacant,
and non-executive staff), so every growth can be checked by hand: tests/rules/README.md lists
them.
"""

from __future__ import annotations

from pathlib import Path

from tests.rules.fixture_writer import POSITION_COLUMNS, Row, write_csv

HERE = Path(__file__).resolve().parent
SNAPSHOTS = ("2024-06-30", "2025-06-30")
# (jurisdiction, agency code, agency name, per snapshot: (SES1 occupied, SES1 vacant, EL2))
# Every agency also has its head (a Secretary, HEAD: executive) at each snapshot it appears in.
AGENCIES: list[tuple[str, str, str, tuple[tuple[int, int, int] | None, ...]]] = [
    # 20 to 25 executives (+25%, three of the five new positions vacant): low
    ("APS", "AGA", "Agency of Growth", ((19, 0, 30), (21, 3, 30))),
    # 20 to 24 (+20%, the threshold itself, not more): no flag
    ("APS", "AGB", "Agency at the Boundary", ((19, 0, 30), (23, 0, 30))),
    # 10 to 15 (+50%): medium
    ("APS", "AGC", "Agency of Fast Growth", ((9, 0, 10), (14, 0, 10))),
    # 9 to 15 (+67%) from a cohort under min_cohort_positions (10): no flag
    ("APS", "AGD", "Agency Too Small", ((8, 0, 10), (14, 0, 10))),
    # 20 both times, five vacancies filled: filling a vacancy is not growth, no flag
    ("APS", "AGE", "Agency Filling Vacancies", ((14, 5, 20), (19, 0, 20))),
    # 12 executives both times, EL2s 30 to 60: not executive growth, no flag
    ("APS", "AGF", "Agency of Growing Staff", ((11, 0, 30), (11, 0, 60))),
    # 20 to 10: a shrinking cohort, no flag
    ("APS", "AGG", "Agency in Decline", ((19, 0, 10), (9, 0, 10))),
    # a new agency (no previous snapshot): no flag
    ("APS", "AGH", "Agency Newly Created", (None, (14, 0, 10))),
    # the same code in two jurisdictions: APS DOE 20 to 20, VPS DOE 10 to 13 (+30%): low, VPS
    ("APS", "DOE", "Department of Education", ((19, 0, 10), (19, 0, 10))),
    ("VPS", "DOE", "Department of Education (Victoria)", ((9, 0, 10), (12, 0, 10))),
]
CLASSIFICATIONS = {"APS": ("Secretary", "SES Band 1", "EL2"),
                   "VPS": ("Secretary", "SES Band 1", "VPS 7")}


def agency_rows(snapshot: str, jurisdiction: str, code: str, name: str,
                counts: tuple[int, int, int]) -> list[Row]:
    """Return one agency's positions at a snapshot: its head, SES1s (occupied, vacant), EL2s."""
    head, ses1, el2 = CLASSIFICATIONS[jurisdiction]
    occupied, vacant, staff = counts
    base = {"snapshot_date": snapshot, "jurisdiction": jurisdiction, "agency_code": code,
            "agency_name": name, "stream": "Delivery"}
    rows: list[Row] = [{**base, "position_id": f"{code}-000", "position_title": "Secretary",
                        "classification": head, "stream": "", "reports_to_position_id": "",
                        "occupancy": "occupied"}]
    for number in range(1, occupied + vacant + 1):
        rows.append({**base, "position_id": f"{code}-1{number:02d}",
                     "position_title": f"Assistant Secretary, Branch {number}",
                     "classification": ses1, "reports_to_position_id": f"{code}-000",
                     "occupancy": "occupied" if number <= occupied else "vacant"})
    for number in range(1, staff + 1):
        rows.append({**base, "position_id": f"{code}-5{number:02d}",
                     "position_title": f"Director, Section {number}",
                     "classification": el2, "reports_to_position_id": f"{code}-101",
                     "occupancy": "occupied"})
    return rows


def main() -> None:
    """Write positions_2024.csv and positions_2025.csv."""
    for index, snapshot in enumerate(SNAPSHOTS):
        rows = [row for jurisdiction, code, name, cohorts in AGENCIES
                if cohorts[index] is not None
                for row in agency_rows(snapshot, jurisdiction, code, name, cohorts[index])]
        write_csv(HERE / f"positions_{snapshot[:4]}.csv",
                  (*POSITION_COLUMNS, "reports_to_position_id"), rows)


if __name__ == "__main__":
    main()
