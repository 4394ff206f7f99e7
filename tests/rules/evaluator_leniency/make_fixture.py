"""Write the evaluator_leniency fixture: evaluators judged by their residuals from the evidence.

Run `uv run python -m tests.rules.evaluator_leniency.make_fixture` to rewrite the CSVs beside
it. Every position's staff (and budget) rise with its place in a list, so the evidence
calibration (data/scoring.toml: five bins per jurisdiction) expects resource management
2, 3, 4, 5, 5 from the smallest fifth to the largest. Each evaluator's residuals (their score
less what the evidence expects) are fixed below; the seeded generator only shuffles which
position each determination is for (spreading each evaluator evenly over the sizes), names and
dates them. Breadth and independence carry no
evidence here, so a determination's residual is its resource management residual.
tests/rules/README.md works the medians and z-scores out.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.rules.fixture_writer import FACTORS, write_fixture
from tests.rules.fixture_writer import POSITION_COLUMNS as BASE_POSITION_COLUMNS

HERE = Path(__file__).resolve().parent
POSITION_COLUMNS = (*BASE_POSITION_COLUMNS, "staff_managed", "budget_managed")
SNAPSHOT = "2025-06-30"
TYPICAL = [0] * 10 + [1, -1]
# (jurisdiction, evaluator, agency, held tier or None for the evidence's, residuals)
EVALUATORS = [
    ("APS", "K. Brennan", "DHA", None, TYPICAL),
    ("APS", "L. Haddad", "ATO", None, TYPICAL),
    ("APS", "P. Osei", "ATO", None, TYPICAL),
    ("APS", "R. Varga", "DCCEEW", None, TYPICAL),
    ("APS", "S. Tanaka", "DHA", None, TYPICAL),
    ("APS", "T. Moreau", "DCCEEW", None, TYPICAL),
    # ten determinations, resource management 2 above what the evidence bears out: flagged
    ("APS", "J. Nguyen", "DHA", None, [2] * 10),
    # eight positions pushed up to Band 2 whatever their size, scored 2 above the evidence:
    # flagged (within Band 2 their totals look low; against the evidence they are high)
    ("APS", "O. Lindqvist", "DCCEEW", "SES2", [2] * 8),
    # five determinations as generous: too few to judge (min_determinations = 8)
    ("APS", "M. Ferreira", "ATO", None, [2] * 5),
    # nine determinations a point above: significant, but short of the gap (1.5 points)
    ("APS", "N. Kaur", "DCCEEW", None, [1] * 9),
    # the VPS: three evaluators who all score what the evidence bears out: nobody flagged
    ("VPS", "A. Whitlam", "DJCS", None, [0] * 15),
    ("VPS", "B. Hughes", "DTF", None, [0] * 15),
    ("VPS", "C. Lalor", "DJCS", None, [0] * 15),
]
EXPECTED = [2, 3, 4, 5, 5]  # resource management the evidence bears out, per fifth (5 + 2 = 7)
TIERS = ["SES1", "SES1", "SES2", "SES2", "SES3"]  # the band that size usually holds
OTHER_FACTORS = {"SES1": 4, "SES2": 5, "SES3": 6}
CLASSIFICATION = {"APS": {"SES1": "SES Band 1", "SES2": "SES Band 2", "SES3": "SES Band 3"},
                  "VPS": {"SES1": "SES-1", "SES2": "SES-2", "SES3": "SES-3"}}
AGENCY_NAMES = {"DHA": "Department of Home Affairs", "ATO": "Australian Taxation Office",
                "DCCEEW": "Department of Climate Change, Energy, the Environment and Water",
                "DJCS": "Department of Justice and Community Safety",
                "DTF": "Department of Treasury and Finance"}
AREAS = ["Visa Integrity", "Border Policy", "Emergency Management", "Debt Collection",
         "Individuals Compliance", "Superannuation", "Renewables Policy", "Water Markets",
         "Environment Approvals", "Counter Terrorism", "Transnational Crime", "Small Business"]


def jurisdiction_rows(rng: random.Random, jurisdiction: str, start: int
                      ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return one position and determination per residual of the jurisdiction's evaluators."""
    # which size of position each determination is for: every evaluator's spread evenly over
    # the sizes (its k-th of n near the k/n point), so each fifth holds its share of each
    keyed = [((k + rng.random()) / len(residuals), (evaluator, agency, tier, residual))
             for code, evaluator, agency, tier, residuals in EVALUATORS if code == jurisdiction
             for k, residual in enumerate(rng.sample(residuals, len(residuals)))]
    cases = [case for _, case in sorted(keyed)]
    positions, determinations = [], []
    for index, (evaluator, agency, held, residual) in enumerate(cases):
        fifth = min(4, index * 5 // (len(cases) - 1))  # the bin percent_rank gives it
        tier = held or TIERS[fifth]
        staff = 10 + 8 * index
        number = start + index
        position_id = f"{agency}-{number:03d}"
        classification = CLASSIFICATION[jurisdiction][tier]
        positions.append({
            "snapshot_date": SNAPSHOT, "jurisdiction": jurisdiction, "agency_code": agency,
            "agency_name": AGENCY_NAMES[agency], "position_id": position_id,
            "position_title": f"Director, {rng.choice(AREAS)}", "classification": classification,
            "stream": rng.choice(("Delivery", "Policy", "Regulatory")), "occupancy": "occupied",
            "staff_managed": staff, "budget_managed": staff * 150_000})
        determinations.append({
            "determination_id": f"EVL-{number:03d}", "jurisdiction": jurisdiction,
            "agency_code": agency, "position_id": position_id,
            "decision_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "determined_classification": classification, "method": "WLS",
            "evaluator": evaluator,
            **dict.fromkeys(FACTORS[:-1], OTHER_FACTORS[tier]),
            "resource_management": EXPECTED[fifth] + residual})
    return positions, determinations


def build_rows(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return the positions and determinations of both jurisdictions."""
    aps_positions, aps_determinations = jurisdiction_rows(rng, "APS", 1)
    vps_positions, vps_determinations = jurisdiction_rows(rng, "VPS", 501)
    return aps_positions + vps_positions, aps_determinations + vps_determinations


if __name__ == "__main__":
    write_fixture(HERE, build_rows, POSITION_COLUMNS)
