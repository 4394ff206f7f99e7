"""A small WA agency built the way the WA methodology designs one raises nothing to act on.

tests/wa_agency/ is a hand-written agency (seed 004's tier table): a CEO Band 2 head, a
Non-CEO Band 2 deputy of the same tier, a Class 4 over a Class 3 (tier 3), a Class 2 over a
Class 1 (tier 4) and a Level 8 under them, each determined at its own classification with
points inside the range its tier is held against, and rationales that cite FTE, budgets and
delegations (one of them also mentions a growing caseload and "a number of" branches). The
whole pipeline runs on the files through the command line; no finding may be medium or high.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from pipeline import cli

FOLDER = Path(__file__).resolve().parent / "wa_agency"


def test_a_designed_wa_agency_raises_no_medium_or_high_finding(tmp_path: Path) -> None:
    """`workvalue run` on the agency's files: every finding, if any, is a low note."""
    warehouse = tmp_path / "wa.duckdb"
    result = CliRunner().invoke(cli.app, ["run", "--input", str(FOLDER),
                                          "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = connection.execute(
            "select count(*) from positions where classification_code like 'WA-%'").fetchall()
        scored = connection.execute(
            "select count(*) from int_position_points where total_points is not null").fetchall()
        serious = connection.execute(
            "select rule_id, position_id, severity, message from flags"
            " where severity in ('medium', 'high')").fetchall()
    finally:
        connection.close()
    assert loaded == [(7,)]
    assert scored == [(7,)]  # the Level 8 is scored too
    assert serious == []
