"""Cohort and framework completeness rules: what the golden fixtures cannot hold in one folder.

The golden fixtures (tests/rules/<rule>/) hold each rule's defects and clean twins. These tests
rerun those folders with one file taken away or replaced, or one threshold changed, through the
real pipeline into a real DuckDB file: an extract without a maturity or performance file, or
with a header-only one, is no evidence that an agency failed; an agency with nothing at all is
noted only while most of its peers sent theirs; a classification no pattern recognises at the
previous snapshot cannot make a cohort look grown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipeline import catalog
from pipeline.run import run_pipeline

RULES_DIR = Path(__file__).resolve().parent / "rules"
TODAY = dt.date(2026, 1, 1)


def copied(rule_id: str, tmp_path: Path, keep: Callable[[Path], bool]) -> Path:
    """Return a copy of a rule's fixture folder holding only the extract files `keep` accepts."""
    folder = tmp_path / rule_id
    folder.mkdir()
    for path in (RULES_DIR / rule_id).glob("*.csv"):
        if path.name != "expected_flags.csv" and keep(path):
            shutil.copy(path, folder / path.name)
    return folder


def flagged(folder: Path, rule_id: str, tmp_path: Path) -> set[tuple[str, str, str]]:
    """Return (snapshot, agency, severity) of a rule's flags after a run on the folder."""
    warehouse = tmp_path / "wh.duckdb"
    run_pipeline(folder, warehouse, today=TODAY)
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = connection.execute(
            "select snapshot_date::varchar, agency_code, severity from flags where rule_id = ?",
            [rule_id]).fetchall()
    finally:
        connection.close()
    return {tuple(row) for row in rows}


def quarantined(tmp_path: Path) -> list[tuple[str, str]]:
    """Return (file, agency) of every quarantined row of the run flagged() made in tmp_path."""
    connection = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        return [tuple(row) for row in connection.execute(
            "select source_file, raw_record ->> 'agency_code' from quarantine").fetchall()]
    finally:
        connection.close()


def with_threshold(monkeypatch: pytest.MonkeyPatch, rule_id: str, name: str,
                   value: object) -> None:
    """Make the catalog give one rule one threshold changed (as if edited in data/rules.toml)."""
    rules = catalog.rules()
    rule = next(rule for rule in rules if rule.rule_id == rule_id)
    assert name in rule.parameters
    changed = dataclasses.replace(rule, parameters={**rule.parameters, name: value})
    monkeypatch.setattr(catalog, "rules",
                        lambda: tuple(changed if r.rule_id == rule_id else r for r in rules))


def header_only(path: Path) -> Path:
    """Rewrite a CSV file with its header line only; return it."""
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["maturity", "performance"])
def test_no_file_of_the_kind_finds_nothing(kind: str, tmp_path: Path) -> None:
    """Positions with SES agencies and no maturity (performance) file: no finding at all."""
    rule_id = {"maturity": "maturity_self_assessment_missing",
               "performance": "performance_rating_missing"}[kind]
    folder = copied(rule_id, tmp_path, lambda path: not path.name.startswith(kind))
    assert not list(folder.glob(f"{kind}*"))
    assert flagged(folder, rule_id, tmp_path) == set()


@pytest.mark.parametrize("kind", ["maturity", "performance"])
def test_a_header_only_file_finds_nothing(kind: str, tmp_path: Path) -> None:
    """The same positions with a header-only maturity (performance) file: no finding at all."""
    rule_id = {"maturity": "maturity_self_assessment_missing",
               "performance": "performance_rating_missing"}[kind]
    folder = copied(rule_id, tmp_path, lambda path: path.name != "maturity_aps_header_only.csv")
    header_only(folder / f"{kind}_aps.csv")
    assert flagged(folder, rule_id, tmp_path) == set()


def test_an_agency_without_any_assessment_is_noted_only_beside_most_peers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """M5 sent no 2024 self-assessment while 4 of the 5 SES agencies did (0.8): noted at the
    default share 0.5, not at 0.9; the partial self-assessments of 2025 are found either way."""
    rule_id = "maturity_self_assessment_missing"
    with_threshold(monkeypatch, rule_id, "min_assessed_agency_share", 0.9)
    folder = copied(rule_id, tmp_path, lambda path: True)
    assert flagged(folder, rule_id, tmp_path) == {
        ("2025-06-30", "M2", "medium"), ("2025-06-30", "M3", "medium"),
        ("2025-06-30", "X9", "medium")}


def test_an_agency_without_any_rating_is_noted_only_beside_most_peers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """P5 has no 2024-25 rating while 5 of the 6 APS SES agencies have some (0.83): noted at
    the default share 0.5, not at 0.9; the agencies with some positions unrated stay."""
    rule_id = "performance_rating_missing"
    with_threshold(monkeypatch, rule_id, "min_rated_agency_share", 0.9)
    folder = copied(rule_id, tmp_path, lambda path: True)
    assert flagged(folder, rule_id, tmp_path) == {
        ("2025-06-30", "P2", "medium"), ("2025-06-30", "P3", "low"),
        ("2025-06-30", "P4", "medium")}


def test_a_quarantined_row_is_not_read_as_missing(tmp_path: Path) -> None:
    """M2's 2025 self-assessment lacks "reward and recognition" (medium); with a row spelled
    `Reward & Recognition` (quarantined: no such element) the element may be there, so M2's 2025
    is not judged. P2's S-009 and S-010 are unrated (2 of 10, medium); with a rating of S-009
    the load quarantines (`excellent` is no rating) S-009 counts as rated: 1 of 10, low."""
    maturity = copied("maturity_self_assessment_missing", tmp_path, lambda path: True)
    with (maturity / "maturity_aps.csv").open("a", encoding="utf-8") as handle:
        handle.write("2025,APS,M2,Reward & Recognition,2\n")
    assert ("2025-06-30", "M2", "medium") not in flagged(
        maturity, "maturity_self_assessment_missing", tmp_path / "m")
    assert quarantined(tmp_path / "m") == [("maturity_aps.csv", "M2")]
    performance = copied("performance_rating_missing", tmp_path, lambda path: True)
    with (performance / "performance_aps.csv").open("a", encoding="utf-8") as handle:
        handle.write("2024-25,APS,P2,S-009,excellent,effective,effective\n")
    found = flagged(performance, "performance_rating_missing", tmp_path / "p")
    assert quarantined(tmp_path / "p") == [("performance_aps.csv", "P2")]
    assert ("2025-06-30", "P2", "low") in found
    assert ("2025-06-30", "P2", "medium") not in found


def test_an_unrecognised_classification_cannot_make_a_cohort_grow(tmp_path: Path) -> None:
    """AGA grew from 20 executives to 25 (+25%, low). With one 2024 position spelled so that no
    pattern recognises it, the 2024 cohort may have been 21, and 25 is not 20% more than 21:
    no finding. The other two findings stay."""
    rule_id = "executive_cohort_growth"
    folder = copied(rule_id, tmp_path, lambda path: True)
    earlier = folder / "positions_2024.csv"
    text = earlier.read_text(encoding="utf-8")
    assert text.count("AGA-501,\"Director, Section 1\",EL2") == 1
    earlier.write_text(text.replace("AGA-501,\"Director, Section 1\",EL2",
                                    "AGA-501,\"Director, Section 1\",Exec Grade Z"),
                       encoding="utf-8")
    assert flagged(folder, rule_id, tmp_path) == {
        ("2025-06-30", "AGC", "medium"), ("2025-06-30", "DOE", "low")}
