"""Write the positions of the maturity_self_assessment_missing fixture.

Run `uv run python -m tests.rules.maturity_self_assessment_missing.make_fixture` to rewrite
positions_2023.csv, positions_2024.csv and positions_2025.csv beside it. The maturity files
(maturity_aps.csv, and maturity_aps_header_only.csv with its header only) are written by hand;
the cases are in tests/rules/README.md.
"""

from __future__ import annotations

from pathlib import Path

from tests.rules.fixture_writer import POSITION_COLUMNS, Row, write_csv

HERE = Path(__file__).resolve().parent
SNAPSHOTS = ("2023-06-30", "2024-06-30", "2025-06-30")
# (jurisdiction, agency code, agency name, classifications below the head)
AGENCIES = [
    ("APS", "M1", "Agency One", ("SES Band 1", "SES Band 1", "EL2")),
    ("APS", "M2", "Agency Two", ("SES Band 2", "SES Band 1", "EL2")),
    ("APS", "M3", "Agency Three", ("SES Band 1", "SES Band 1", "EL2")),
    ("APS", "M4", "Agency Four", ("SES Band 1", "SES Band 1", "EL2")),
    ("APS", "M5", "Agency Five", ("SES Band 1", "SES Band 1", "EL2")),
    # no SES position below its head: the framework's SES practices have nobody to reach
    ("APS", "M6", "Agency Six", ("EL2", "EL2")),
    # a VPS agency with SES positions: no VPS maturity file, and the framework binds the APS
    ("VPS", "V1", "Victorian Department", ("SES Band 1", "SES Band 1", "VPS 7")),
]


def agency_rows(snapshot: str, jurisdiction: str, code: str, name: str,
                classifications: tuple[str, ...]) -> list[Row]:
    """Return one agency's positions at a snapshot: its head and the positions reporting to it."""
    base = {"snapshot_date": snapshot, "jurisdiction": jurisdiction, "agency_code": code,
            "agency_name": name, "occupancy": "occupied"}
    rows: list[Row] = [{**base, "position_id": f"{code}-000", "position_title": "Secretary",
                        "classification": "Secretary", "stream": "",
                        "reports_to_position_id": ""}]
    rows += [{**base, "position_id": f"{code}-{number:03d}", "position_title": f"Head of {number}",
              "classification": classification, "stream": "Delivery",
              "reports_to_position_id": f"{code}-000"}
             for number, classification in enumerate(classifications, start=1)]
    return rows


def main() -> None:
    """Write one positions file per snapshot."""
    for snapshot in SNAPSHOTS:
        rows = [row for agency in AGENCIES for row in agency_rows(snapshot, *agency)]
        write_csv(HERE / f"positions_{snapshot[:4]}.csv",
                  (*POSITION_COLUMNS, "reports_to_position_id"), rows)


if __name__ == "__main__":
    main()
