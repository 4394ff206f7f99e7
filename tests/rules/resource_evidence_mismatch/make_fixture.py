"""Write the resource_evidence_mismatch fixture: a calibrated workforce plus planted positions.

Run `uv run python -m tests.rules.resource_evidence_mismatch.make_fixture` to rewrite the CSVs
beside it. The APS has 50 scored executives whose staff and budget rise together, so the
evidence ranks are distinct and the five calibration bins (data/scoring.toml) hold positions
1-10, 11-20, ... by size. Each bin's resource_management scores are a fixed multiset (shuffled
by the seeded generator), so the bin's median and 10%/90% quantiles can be checked by hand:
tests/rules/README.md works them out. The VPS has 20 executives, four to a bin, too few
to calibrate (min_positions_per_bin = 8): nothing there is judged. Breadth and independence
carry no evidence (no locations, no planning horizon), so only resource_management is judged.
ONI is a small agency (its head manages 75 staff): its Band 1 manages 60 of them, few by the
APS's absolute amounts but 80% of its agency, and is scored like the largest shares.
The planning horizon cases (positions_horizon_2025.csv, determinations_horizon_2025.csv) are
written by hand beside these, in agencies of their own with no staff or budget figures, so they
change none of the calibrations above.
The across-tiers cases (positions_tier_2025.csv, determinations_tier_2025.csv: WA DPIRD, where
only the same tier's calibration bears two scores out) are written by hand too, in the WA, so
they change none of the APS and VPS calibrations either.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.rules.fixture_writer import FACTORS, write_fixture
from tests.rules.fixture_writer import POSITION_COLUMNS as BASE_POSITION_COLUMNS

HERE = Path(__file__).resolve().parent
POSITION_COLUMNS = (*BASE_POSITION_COLUMNS, "staff_managed", "budget_managed")
SNAPSHOT = "2025-06-30"
APS_AGENCIES = [("SA", "Services Australia"), ("DEF", "Department of Defence"),
                ("ABF", "Australian Border Force")]
SMALL_AGENCY = ("ONI", "Office of National Intelligence")
# the small agency's head: in the positions extract (its staff is the agency's), no determination
SMALL_HEAD = {"position_id": "ONI-001", "position_title": "Director-General",
              "classification": "Agency Head", "staff_managed": 75}
# staff range of each calibration bin (smallest first), the band of its positions, and the
# resource_management scores of its generated positions
BINS = [
    ((10, 40), "SES1", [1, 2, 2, 2, 2, 2, 3]),
    ((45, 90), "SES1", [2, 3, 3, 3, 3, 3, 3, 3, 4]),
    ((100, 200), "SES2", [3, 4, 4, 4, 4, 4, 4, 4, 5, 5]),
    ((220, 500), "SES2", [4, 5, 5, 5, 5, 5, 5, 5, 6, 6]),
    ((600, 2000), "SES3", [5, 6, 6, 6, 6, 6, 7, 7]),
]
# (position_id, agency, bin, staff, title, resource_management score)
PLANTED = [
    # 18 staff scored 6: bin 1 expects 2 (usually 1.9 to 4.2): flagged
    ("RES-101", "SA", 1, 18, "Assistant Secretary, Ministerial Liaison", 6),
    # its clean twin: 19 staff scored 2, what the evidence bears out
    ("RES-102", "SA", 1, 19, "Assistant Secretary, Parliamentary Services", 2),
    # 2 above the expected score but inside the usual range plus one (4.2 + 1): not flagged
    ("RES-103", "DEF", 1, 21, "Assistant Secretary, Defence Honours", 4),
    # 1,850 staff scored 2: bin 5 expects 6 (usually 4.7 to 7): flagged
    ("RES-501", "DEF", 5, 1850, "Deputy Secretary, Estate and Infrastructure", 2),
    # its clean twin: 1,900 staff scored 6
    ("RES-502", "ABF", 5, 1900, "Deputy Comptroller-General, Operations", 6),
    # the small agency's Band 1: 60 staff scored 6, above bin 2's usual range (2.9 to 4.2) on
    # absolute amounts, but 80% of its agency, where the share calibration expects 6: not flagged
    ("RES-201", "ONI", 2, 60, "Assistant Director-General, Intelligence Assessment", 6),
]
TIER_CLASSIFICATION = {"SES1": "SES Band 1", "SES2": "SES Band 2", "SES3": "SES Band 3"}
TIER_TITLE = {"SES1": "Assistant Secretary", "SES2": "First Assistant Secretary",
              "SES3": "Deputy Secretary"}
TIER_BASE = {"SES1": 4, "SES2": 5, "SES3": 6}  # the other seven factors' typical score
AREAS = ["Payments Integrity", "Customer Service Delivery", "Capability Acquisition",
         "Estate Services", "Cargo Operations", "Traveller Operations", "Fraud Control",
         "Digital Delivery", "Workforce Strategy", "Logistics", "Intelligence", "Compliance",
         "Health Services", "Procurement", "Enforcement Operations", "Legal Services"]
VPS_AGENCY = ("DOH", "Department of Health")


def profile(rng: random.Random, tier: str, resource_management: int) -> dict[str, int]:
    """Return a determination's eight factor scores around the tier's typical score."""
    base = TIER_BASE[tier]
    scores = {factor: base + rng.choice((-1, 0, 0, 1)) for factor in FACTORS[:-1]}
    return {**scores, "resource_management": resource_management}


def aps_rows(rng: random.Random) -> list[tuple[str, str, str, int, str, int, str]]:
    """Return the APS positions: (id, agency, tier, staff, title, score, stream)."""
    rows = []
    for number, ((low, high), tier, scores) in enumerate(BINS, start=1):
        planted = [case for case in PLANTED if case[2] == number]
        taken = {case[3] for case in planted}
        staff_values = rng.sample([s for s in range(low, high + 1) if s not in taken],
                                  len(scores))
        shuffled = rng.sample(scores, len(scores))
        for index, (staff, score) in enumerate(zip(staff_values, shuffled, strict=True), start=1):
            agency = rng.choice(APS_AGENCIES)[0]
            title = f"{TIER_TITLE[tier]}, {rng.choice(AREAS)}"
            rows.append((f"{agency}-{number}{index:02d}", agency, tier, staff, title, score,
                         "Delivery"))
        for position_id, agency, _, staff, title, score in planted:
            rows.append((position_id, agency, tier, staff, title, score, "Delivery"))
    return rows


def vps_rows(rng: random.Random) -> list[tuple[str, str, str, int, str, int, str]]:
    """Return 20 VPS positions, one planted far off its evidence (too few to calibrate)."""
    rows = []
    for index in range(1, 20):
        staff = rng.randint(15, 900)
        tier = "SES1" if staff < 120 else "SES2"
        rows.append((f"VH-{index:03d}", VPS_AGENCY[0], tier, staff,
                     f"{'Director' if tier == 'SES1' else 'Executive Director'}, "
                     f"{rng.choice(AREAS)}", min(7, 2 + staff // 200), "Delivery"))
    rows.append(("VH-900", VPS_AGENCY[0], "SES1", 14, "Director, Health Protection Policy", 7,
                 "Policy"))
    return rows


def build_rows(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return the positions and determinations rows of both jurisdictions."""
    positions, determinations = [], []
    names = dict([*APS_AGENCIES, SMALL_AGENCY, VPS_AGENCY])
    cases = [("APS", row) for row in aps_rows(rng)] + [("VPS", row) for row in vps_rows(rng)]
    for number, (jurisdiction, row) in enumerate(cases, start=1):
        position_id, agency, tier, staff, title, score, stream = row
        classification = (TIER_CLASSIFICATION[tier] if jurisdiction == "APS"
                          else tier.replace("SES", "SES-"))
        positions.append({
            "snapshot_date": SNAPSHOT, "jurisdiction": jurisdiction, "agency_code": agency,
            "agency_name": names[agency], "position_id": position_id, "position_title": title,
            "classification": classification, "stream": stream, "occupancy": "occupied",
            "staff_managed": staff, "budget_managed": staff * 145_000 + 250_000})
        determinations.append({
            "determination_id": f"REM-{number:03d}", "jurisdiction": jurisdiction,
            "agency_code": agency, "position_id": position_id,
            "decision_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "determined_classification": classification,
            "method": "APS SES WLS" if jurisdiction == "APS" else "VPS WVS",
            "evaluator": rng.choice(("D. Kowalski", "E. Mensah", "F. Rossi")),
            **profile(rng, tier, score)})
    positions.append({"snapshot_date": SNAPSHOT, "jurisdiction": "APS",
                      "agency_code": SMALL_AGENCY[0], "agency_name": SMALL_AGENCY[1],
                      "stream": "", "occupancy": "occupied", **SMALL_HEAD,
                      "budget_managed": SMALL_HEAD["staff_managed"] * 145_000 + 250_000})
    return positions, determinations


if __name__ == "__main__":
    write_fixture(HERE, build_rows, POSITION_COLUMNS)
