"""Write the performance_rating_missing fixture: agencies whose SES positions are rated, or not.

Run `uv run python -m tests.rules.performance_rating_missing.make_fixture` to rewrite the CSVs
beside it. Every agency numbers its positions S-001, S-002, ... (ids repeat across agencies);
which positions go unrated in which cycle is fixed below, and tests/rules/README.md lists the
cases.
"""

from __future__ import annotations

from pathlib import Path

from tests.rules.fixture_writer import POSITION_COLUMNS, Row, write_csv

HERE = Path(__file__).resolve().parent
SNAPSHOTS = {"2024-06-30": "2023-24", "2025-06-30": "2024-25"}  # each cycle's snapshot
RATING_COLUMNS = ("cycle", "jurisdiction", "agency_code", "position_id", "outcomes_rating",
                  "behaviours_rating", "overall_rating")


# (jurisdiction, code, name, occupied SES below the head, {cycle: unrated position numbers},
#  head classification); every agency also has a vacant SES1, an acting SES1 and two EL2s
# (none of them rated), and `None` for a cycle means no rating of the agency at all
AGENCIES: list[tuple[str, str, str, int, dict[str, list[int] | None], str]] = [
    ("APS", "P1", "Agency Rated", 10, {}, "Secretary"),
    ("APS", "P2", "Agency Two Unrated", 10, {"2024-25": [9, 10]}, "Secretary"),
    ("APS", "P3", "Agency One Unrated", 20, {"2024-25": [20]}, "Secretary"),
    ("APS", "P4", "Agency Half Unrated", 12, {"2024-25": [7, 8, 9, 10, 11, 12]}, "Secretary"),
    ("APS", "P5", "Agency Without Ratings", 8, {"2024-25": None}, "Secretary"),
    # a small agency headed by an SES Band 2 (reporting to nobody): the head is not rated
    ("APS", "P6", "Agency Headed by an SES", 5, {}, "SES Band 2"),
    ("VPS", "V1", "Victorian Department", 6, {"2023-24": None, "2024-25": None}, "Secretary"),
]


def agency_rows(snapshot: str, jurisdiction: str, code: str, name: str, occupied: int,
                head: str) -> list[Row]:
    """Return one agency's positions at a snapshot."""
    base = {"snapshot_date": snapshot, "jurisdiction": jurisdiction, "agency_code": code,
            "agency_name": name, "stream": "Delivery", "reports_to_position_id": "S-000"}
    rows: list[Row] = [{**base, "position_id": "S-000", "position_title": "Head",
                        "classification": head, "stream": "", "reports_to_position_id": "",
                        "occupancy": "occupied"}]
    rows += [{**base, "position_id": f"S-{number:03d}", "position_title": f"Branch {number}",
              "classification": "SES Band 2" if number == 1 else "SES Band 1",
              "occupancy": "occupied"} for number in range(1, occupied + 1)]
    rows += [{**base, "position_id": "S-901", "position_title": "Branch vacant",
              "classification": "SES Band 1", "occupancy": "vacant"},
             {**base, "position_id": "S-902", "position_title": "Branch acting",
              "classification": "SES Band 1", "occupancy": "acting"}]
    rows += [{**base, "position_id": f"S-95{number}", "position_title": f"Section {number}",
              "classification": "EL2" if jurisdiction == "APS" else "VPS 7",
              "occupancy": "occupied"} for number in (1, 2)]
    return rows


def ratings(cycle: str, jurisdiction: str, code: str, occupied: int,
            unrated: dict[str, list[int] | None]) -> list[Row]:
    """Return the agency's ratings in a cycle: every occupied SES position but the unrated."""
    if cycle in unrated and unrated[cycle] is None:
        return []
    skipped = unrated.get(cycle) or []
    return [{"cycle": cycle, "jurisdiction": jurisdiction, "agency_code": code,
             "position_id": f"S-{number:03d}", "outcomes_rating": "effective",
             "behaviours_rating": "effective", "overall_rating": "effective"}
            for number in range(1, occupied + 1) if number not in skipped]


def main() -> None:
    """Write positions_2024.csv, positions_2025.csv and performance_aps.csv."""
    rated: list[Row] = []
    for snapshot, cycle in SNAPSHOTS.items():
        rows = [row for jurisdiction, code, name, occupied, _, head in AGENCIES
                for row in agency_rows(snapshot, jurisdiction, code, name, occupied, head)]
        write_csv(HERE / f"positions_{snapshot[:4]}.csv",
                  (*POSITION_COLUMNS, "reports_to_position_id"), rows)
        rated += [row for jurisdiction, code, _, occupied, unrated, _ in AGENCIES
                  for row in ratings(cycle, jurisdiction, code, occupied, unrated)]
    # an older cycle with no positions snapshot in the year it ends: not judged
    rated += [{**row, "cycle": "2022-23"} for row in rated[:3]]
    write_csv(HERE / "performance_aps.csv", RATING_COLUMNS, rated)


if __name__ == "__main__":
    main()
