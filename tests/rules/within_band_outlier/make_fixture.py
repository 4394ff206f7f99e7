"""Write the within_band_outlier fixture: peer groups of one band and stream, plus planted cases.

Run `uv run python -m tests.rules.within_band_outlier.make_fixture` to rewrite the CSVs beside
it. Peers share a base profile; each gets at most one factor moved by one point, so every
factor's peer median is the base and its median absolute deviation is 0 (floored at
min_mad_points = 0.5). The planted profiles, and the flags they should raise, are listed in
PLANTED and checked by hand in expected_flags.csv (tests/rules/README.md explains them).
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.rules.fixture_writer import FACTORS, write_fixture
from tests.rules.fixture_writer import POSITION_COLUMNS as BASE_POSITION_COLUMNS

HERE = Path(__file__).resolve().parent
POSITION_COLUMNS = (*BASE_POSITION_COLUMNS, "staff_managed")
SNAPSHOT = "2025-06-30"
AGENCIES = {
    "APS": [("DAFF", "Department of Agriculture, Fisheries and Forestry"),
            ("DFAT", "Department of Foreign Affairs and Trade"),
            ("DVA", "Department of Veterans' Affairs")],
    "VPS": [("DJSIR", "Department of Jobs, Skills, Industry and Regions")],
    "WA": [("DMIRS", "Department of Mines, Industry Regulation and Safety")],
}
CLASSIFICATION = {("APS", "SES1"): "SES Band 1", ("APS", "SES2"): "SES Band 2",
                  ("APS", "SES3"): "SES Band 3", ("VPS", "SES2"): "SES-2",
                  ("WA", "SES1"): "Class 2"}
TITLE = {"SES1": "Assistant Secretary", "SES2": "First Assistant Secretary",
         "SES3": "Deputy Secretary"}
AREAS = ["Biosecurity Operations", "Export Certification", "Consular Services", "Trade Policy",
         "Veteran Income Support", "Rehabilitation Services", "Fisheries Policy",
         "Passport Operations", "Client Benefits", "Plant Health", "Market Access",
         "Treaty Law", "Agricultural Statistics", "Drought Response", "Claims Processing",
         "Mental Health Programs", "Protocol", "Forestry Policy", "Aid Effectiveness",
         "Residue Testing"]

# (jurisdiction, tier, stream, base profile, number of generated peers)
PEER_GROUPS = [
    ("APS", "SES1", "Delivery", (4, 4, 4, 4, 4, 4, 4, 4), 11),
    ("APS", "SES2", "Public Policy", (5, 5, 5, 5, 5, 5, 5, 5), 9),
    ("APS", "SES3", "Professional / Specialist", (7, 6, 7, 6, 7, 7, 6, 3), 8),
    ("APS", "SES3", "Delivery", (6, 6, 6, 6, 6, 7, 6, 7), 8),
    ("APS", "SES2", "Regulatory", (5, 5, 5, 5, 5, 5, 5, 5), 6),
    ("VPS", "SES2", "Regulatory", (5, 5, 5, 5, 5, 5, 5, 5), 2),
    ("WA", "SES1", "Professional/Specialist", (5, 4, 4, 4, 4, 4, 4, 3), 3),
]

# (position_id, jurisdiction, agency, tier, stream, title, staff, profile)
PLANTED = [
    # far from SES1 Delivery peers on knowledge and judgement: distance 3.15, medium
    ("OUT-101", "APS", "DAFF", "SES1", "Delivery", "Assistant Secretary, Animal Health Science",
     35, (7, 3, 7, 3, 3, 4, 4, 4)),
    # its clean twin: one point above the peers on two factors, distance 1.0, not flagged
    ("OUT-102", "APS", "DAFF", "SES1", "Delivery", "Assistant Secretary, Import Operations",
     60, (5, 4, 5, 4, 4, 4, 4, 4)),
    # SES2 Policy with a total in band (40) but an erratic profile: distance 4.69, high
    ("OUT-201", "APS", "DFAT", "SES2", "Public Policy",
     "First Assistant Secretary, International Security", 90, (7, 7, 2, 7, 2, 7, 2, 6)),
    # a specialist SES3 with a small team among specialist peers: no factor 2 z away, not flagged
    ("OUT-301", "APS", "DVA", "SES3", "Professional / Specialist", "Chief Health Officer",
     12, (7, 6, 7, 6, 7, 7, 6, 2)),
    # the same profile declared as Delivery, among delivery SES3s: distance 3.71, medium
    ("OUT-302", "APS", "DVA", "SES3", "Delivery", "Deputy President, Veteran Services",
     12, (7, 6, 7, 6, 7, 7, 6, 2)),
    # VPS has 3 SES2 Regulatory positions: judged across jurisdictions (9 peers), medium
    ("OUT-401", "VPS", "DJSIR", "SES2", "Regulatory",
     "Executive Director, Consumer Affairs Enforcement", 140, (7, 6, 7, 3, 3, 4, 5, 5)),
    # WA has 4 SES1-tier specialists and no other jurisdiction any: too few peers, not judged
    ("OUT-501", "WA", "DMIRS", "SES1", "Professional/Specialist",
     "Director, Dangerous Goods Science", 8, (7, 1, 7, 1, 7, 1, 7, 1)),
    # no stream declared: no peer group, not judged
    ("OUT-601", "APS", "DAFF", "SES1", "", "Assistant Secretary, Special Projects",
     4, (7, 1, 7, 1, 7, 1, 7, 1)),
]

METHOD = {"APS": "APS SES WLS", "VPS": "VPS WVS", "WA": "WA ECM"}


def peer_profile(rng: random.Random, base: tuple[int, ...]) -> tuple[int, ...]:
    """Return a peer's profile: the base with at most one factor moved by one point."""
    profile = list(base)
    if rng.random() < 0.6:
        index = rng.randrange(len(profile))
        profile[index] = min(7, max(1, profile[index] + rng.choice((-1, 1))))
    return tuple(profile)


def build_rows(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return the positions and determinations rows: generated peers, then planted cases."""
    cases: list[tuple[str, str, str, str, str, str, int, tuple[int, ...]]] = []
    for jurisdiction, tier, stream, base, count in PEER_GROUPS:
        for number in range(1, count + 1):
            agency, _ = rng.choice(AGENCIES[jurisdiction])
            title = f"{TITLE[tier]}, {rng.choice(AREAS)}"
            position_id = f"{agency}-{tier}-{stream[:3].upper()}-{number:02d}"
            staff = rng.randint(20, 90) * {"SES1": 1, "SES2": 4, "SES3": 12}[tier]
            cases.append((position_id, jurisdiction, agency, tier, stream, title, staff,
                          peer_profile(rng, base)))
    cases.extend(PLANTED)
    positions, determinations = [], []
    names = {code: name for agencies in AGENCIES.values() for code, name in agencies}
    for index, (position_id, jurisdiction, agency, tier, stream, title, staff, profile) in (
            enumerate(cases, start=1)):
        classification = CLASSIFICATION[(jurisdiction, tier)]
        positions.append({
            "snapshot_date": SNAPSHOT, "jurisdiction": jurisdiction, "agency_code": agency,
            "agency_name": names[agency], "position_id": position_id, "position_title": title,
            "classification": classification, "stream": stream, "occupancy": "occupied",
            "staff_managed": staff})
        determinations.append({
            "determination_id": f"WBO-{index:03d}", "jurisdiction": jurisdiction,
            "agency_code": agency, "position_id": position_id,
            "decision_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "determined_classification": classification, "method": METHOD[jurisdiction],
            "evaluator": rng.choice(("E01", "E02", "E03")),
            **dict(zip(FACTORS, profile, strict=True))})
    return positions, determinations


if __name__ == "__main__":
    write_fixture(HERE, build_rows, POSITION_COLUMNS)
