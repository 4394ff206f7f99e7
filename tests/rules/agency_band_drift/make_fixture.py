"""Write the agency_band_drift fixture: agencies whose bands score like their peers, or not.

Run `uv run python -m tests.rules.agency_band_drift.make_fixture` to rewrite the CSVs beside
it. Each agency's totals per band are fixed below (the seeded generator only spreads a total
over the eight factors, shuffles and names positions), so the Mann-Whitney z-scores and the
medians can be checked by hand: tests/rules/README.md works them out.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.rules.fixture_writer import FACTORS, spread, write_fixture

HERE = Path(__file__).resolve().parent
SNAPSHOT = "2025-06-30"
PEER_SES1 = [25, 26, 27, 28, 28, 29, 29, 30, 31, 32]
PEER_SES2 = [38, 39, 40, 41, 42, 43]
PEER_SES3 = [50, 51, 52, 53, 54, 55]
# (jurisdiction, agency code, agency name, {tier: totals})
AGENCIES = [
    # four agencies whose bands score as expected: the peers
    ("APS", "DISR", "Department of Industry, Science and Resources",
     {"SES1": PEER_SES1, "SES2": PEER_SES2, "SES3": PEER_SES3}),
    ("APS", "DOE", "Department of Education",
     {"SES1": PEER_SES1, "SES2": PEER_SES2, "SES3": PEER_SES3}),
    ("APS", "PMC", "Department of the Prime Minister and Cabinet",
     {"SES1": PEER_SES1, "SES2": PEER_SES2, "SES3": PEER_SES3}),
    ("APS", "DOHAC", "Department of Health and Aged Care",
     {"SES1": PEER_SES1, "SES2": PEER_SES2, "SES3": PEER_SES3}),
    # ten SES1s scoring like other agencies' SES2s: drift up
    ("APS", "AGD", "Attorney-General's Department",
     {"SES1": [34, 35, 35, 36, 36, 36, 36, 37, 37, 38]}),
    # five SES1s scoring as high: too few to judge (min_positions = 8)
    ("APS", "ONI", "Office of National Intelligence", {"SES1": [35, 35, 36, 36, 37]}),
    # nine SES2s clearly above their peers (significant), but not half-way to SES3: not drift
    ("APS", "DSS", "Department of Social Services",
     {"SES2": [41, 42, 42, 43, 43, 43, 44, 44, 45]}),
    # eight SES3s scoring like other agencies' SES2s: drift down
    ("APS", "DVA", "Department of Veterans' Affairs",
     {"SES3": [44, 45, 45, 46, 46, 47, 47, 48]}),
    # the only VPS agency: no peers in its jurisdiction, judged across jurisdictions
    ("VPS", "DPC", "Department of Premier and Cabinet",
     {"SES1": [35, 35, 36, 36, 36, 37, 37, 38]}),
]
SNAPSHOT_2024 = "2024-06-30"
# the earlier snapshot: SES1s only, a group of their own (tests/rules/README.md)
AGENCIES_2024 = [
    *[(jurisdiction, code, name, {"SES1": PEER_SES1})
      for jurisdiction, code, name, _ in AGENCIES[:4]],
    # eight SES1s scoring towards the bottom of the range, where executive work ends: drift down
    ("APS", "ASD", "Australian Signals Directorate",
     {"SES1": [21, 22, 22, 23, 23, 24, 24, 25]}),
    # its twin: eight SES1s spread as the peers are
    ("APS", "ATO", "Australian Taxation Office", {"SES1": [24, 26, 27, 28, 29, 30, 31, 33]}),
    # eight SES1s a few points above the peers, inside the range: a systematic shift
    ("APS", "AEC", "Australian Electoral Commission",
     {"SES1": [30, 30, 31, 31, 31, 32, 32, 33]}),
    # its twin: about as high a median, but spread too widely to be significant
    ("APS", "ABS", "Australian Bureau of Statistics",
     {"SES1": [25, 27, 29, 30, 31, 32, 33, 35]}),
    # seven SES1s far below the peers: too few to judge however clear (min_positions = 8)
    ("APS", "ACMA", "Australian Communications and Media Authority",
     {"SES1": [21, 21, 22, 22, 22, 23, 23]}),
]
CLASSIFICATION = {("APS", "SES1"): "SES Band 1", ("APS", "SES2"): "SES Band 2",
                  ("APS", "SES3"): "SES Band 3", ("VPS", "SES1"): "SES-1"}
TITLE = {("APS", "SES1"): "Assistant Secretary", ("APS", "SES2"): "First Assistant Secretary",
         ("APS", "SES3"): "Deputy Secretary", ("VPS", "SES1"): "Director"}
AREAS = ["Legal Policy", "Integrity Frameworks", "Cabinet Office", "Schools Funding",
         "Science Partnerships", "Critical Minerals", "Higher Education", "Families Payments",
         "Veterans' Health", "Intelligence Assessment", "Economic Policy", "Governance",
         "Digital Transformation", "Workforce", "Regional Development", "Rehabilitation",
         "Communications", "Security Policy", "Indigenous Affairs", "Data Analytics"]
STREAMS = ["Delivery", "Public Policy", "Regulatory", "Professional / Specialist"]


def build_rows(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return the positions and determinations rows of every agency."""
    positions, determinations = [], []
    groups = [(SNAPSHOT, *agency) for agency in AGENCIES]
    groups += [(SNAPSHOT_2024, *agency) for agency in AGENCIES_2024]
    for snapshot, jurisdiction, agency, name, bands in groups:
        for tier, totals in bands.items():
            for number, total in enumerate(rng.sample(totals, len(totals)), start=1):
                position_id = f"{agency}-{tier}-{number:02d}" + (
                    "" if snapshot == SNAPSHOT else f"-{snapshot[:4]}")
                classification = CLASSIFICATION[(jurisdiction, tier)]
                stream = rng.choice(STREAMS)
                positions.append({
                    "snapshot_date": snapshot, "jurisdiction": jurisdiction,
                    "agency_code": agency, "agency_name": name, "position_id": position_id,
                    "position_title": f"{TITLE[(jurisdiction, tier)]}, {rng.choice(AREAS)}",
                    "classification": classification,
                    "stream": "Policy" if jurisdiction == "VPS" else stream,
                    "occupancy": "occupied"})
                determinations.append({
                    "determination_id": f"ABD-{len(determinations) + 1:03d}",
                    "jurisdiction": jurisdiction, "agency_code": agency,
                    "position_id": position_id,
                    "decision_date": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "determined_classification": classification,
                    "method": "APS SES WLS" if jurisdiction == "APS" else "VPS WVS",
                    "evaluator": rng.choice(("G. Papadopoulos", "H. Singh", "I. Walker")),
                    **dict(zip(FACTORS, spread(rng, total), strict=True))})
    return positions, determinations


if __name__ == "__main__":
    write_fixture(HERE, build_rows)
