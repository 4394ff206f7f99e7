"""Write the evaluator_leniency fixture: evaluators scoring SES Band 1 roles, some leniently.

Run `uv run python -m tests.rules.evaluator_leniency.make_fixture` to rewrite the CSVs beside
it. Each evaluator's totals are fixed below (the seeded generator only spreads a total over the
eight factors, shuffles and names positions), so the Mann-Whitney z-scores and medians can be
checked by hand: tests/rules/README.md works them out.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.rules.fixture_writer import FACTORS, spread, write_fixture

HERE = Path(__file__).resolve().parent
SNAPSHOT = "2025-06-30"
AGENCY_NAMES = {"DHA": "Department of Home Affairs", "ATO": "Australian Taxation Office",
                "DCCEEW": "Department of Climate Change, Energy, the Environment and Water"}
TYPICAL = [25, 26, 27, 28, 28, 29, 29, 30, 31, 32]
# (evaluator, agency, SES Band 1 totals)
EVALUATORS = [
    ("K. Brennan", "DHA", TYPICAL),
    ("L. Haddad", "ATO", TYPICAL),
    # ten determinations, every one above the others' median by 4 points or more: flagged
    ("J. Nguyen", "DHA", [32, 33, 33, 34, 34, 34, 35, 35, 35, 35]),
    # eight determinations well below the others: flagged (lower)
    ("O. Lindqvist", "DCCEEW", [21, 22, 23, 23, 24, 24, 25, 26]),
    # five determinations as generous as J. Nguyen's: too few to judge (min_determinations = 8)
    ("M. Ferreira", "ATO", [33, 34, 35, 35, 35]),
    # nine determinations a little above the others: 2 points, not significant: not flagged
    ("N. Kaur", "DCCEEW", [30, 31, 31, 31, 31, 32, 32, 32, 33]),
]
AREAS = ["Visa Integrity", "Border Policy", "Emergency Management", "Debt Collection",
         "Individuals Compliance", "Superannuation", "Renewables Policy", "Water Markets",
         "Environment Approvals", "Counter Terrorism", "Transnational Crime", "Small Business"]


def build_rows(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return one position and its determination per evaluator's total."""
    positions, determinations = [], []
    for evaluator, agency, totals in EVALUATORS:
        for total in rng.sample(totals, len(totals)):
            number = len(positions) + 1
            position_id = f"{agency}-{number:03d}"
            positions.append({
                "snapshot_date": SNAPSHOT, "jurisdiction": "APS", "agency_code": agency,
                "agency_name": AGENCY_NAMES[agency], "position_id": position_id,
                "position_title": f"Assistant Secretary, {rng.choice(AREAS)}",
                "classification": "SES Band 1",
                "stream": rng.choice(("Delivery", "Public Policy", "Regulatory")),
                "occupancy": "occupied"})
            determinations.append({
                "determination_id": f"EVL-{number:03d}", "jurisdiction": "APS",
                "agency_code": agency, "position_id": position_id,
                "decision_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "determined_classification": "SES Band 1", "method": "APS SES WLS",
                "evaluator": evaluator,
                **dict(zip(FACTORS, spread(rng, total), strict=True))})
    return positions, determinations


if __name__ == "__main__":
    write_fixture(HERE, build_rows)
