"""Severity: the three words a flag may carry, most severe first, and what each promises.

One home for their order: the check stage, the review list, the dashboard and the exports rank
by SEVERITIES (in SQL, by ref_severities.severity_rank, registered from here).
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class Severity(StrEnum):
    """A flag's severity; the enum's order is the ranking, most severe first."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITIES: tuple[str, ...] = tuple(severity.value for severity in Severity)
MEANINGS: dict[Severity, str] = {
    Severity.HIGH: "a classification specialist would act on it: the decision, the structure or"
                   " the rating is wrong on its face (points outside the held range by more than"
                   " the borderline margin, reversed reporting, a determination that decided"
                   " another classification, a behaviour concern offset by outcomes)",
    Severity.MEDIUM: "look at it: the data suggest a problem a specialist should check before"
                     " anything is sent to the agency",
    Severity.LOW: "a note: worth knowing when the position or agency is next reviewed, not a"
                  " finding on its own",
}


def rank(severity: str) -> int:
    """Return a severity's rank, 0 for the most severe; raise ValueError for an unknown word."""
    return SEVERITIES.index(Severity(severity))


def severities_table() -> pl.DataFrame:
    """Return ref_severities: each severity, its rank (0 most severe) and what it promises."""
    return pl.DataFrame(
        {"severity": list(SEVERITIES), "severity_rank": list(range(len(SEVERITIES))),
         "meaning": [MEANINGS[Severity(word)] for word in SEVERITIES]},
        schema={"severity": pl.String, "severity_rank": pl.Int64, "meaning": pl.String})
