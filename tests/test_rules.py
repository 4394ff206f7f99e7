"""Golden fixtures for every consistency rule, and the rules' thresholds read from data.

Each folder tests/rules/<rule_id>/ is a tiny extract (positions, determinations or performance
files, written by hand or by the seeded make_fixture.py beside them) holding the defects the
rule must find next to their clean twins, and expected_flags.csv: exactly the flags of that rule
a run must produce, with a fragment each message must contain. tests/rules/README.md lists every
case, flagged and not. Each folder is run once through the whole pipeline into a real DuckDB
file; the threshold tests rerun only the checks on a copy of that file.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import catalog, check, parameters, score
from pipeline.run import run_pipeline
from pipeline.settings import data_file

RULES_DIR = Path(__file__).resolve().parent / "rules"
TODAY = dt.date(2026, 1, 1)
FIXTURES = sorted(path.name for path in RULES_DIR.iterdir()
                  if (path / "expected_flags.csv").is_file())
CONTRACT_RULE_IDS = {
    "band_points_mismatch", "within_band_outlier", "hierarchy_inversion",
    "determination_mismatch", "missing_determination", "resource_evidence_mismatch",
    "agency_band_drift", "orphan_reports_to", "reporting_cycle", "workload_rationale",
    "stream_mismatch", "behaviour_outcome_offset",
}
KEY_COLUMNS = ("snapshot_date", "jurisdiction", "agency_code", "position_id", "classification",
               "rule_id", "severity")
SEVERITIES = {"high", "medium", "low"}

# The evidence keys each rule promises (its header's `evidence:`): values, thresholds, peers.
EVIDENCE_KEYS: dict[str, set[str]] = {rule.rule_id: set(rule.evidence) for rule in catalog.rules()}
PEER_GROUP_KEYS: dict[str, set[str]] = {
    "within_band_outlier": {"scope", "jurisdiction", "tier", "stream", "positions"},
    "resource_evidence_mismatch": {"jurisdiction", "evidence_bin", "positions"},
    "agency_band_drift": {"scope", "of", "tier", "positions", "median"},
    "evaluator_leniency": {"jurisdiction", "determinations", "median"},
}

# snapshot date, agency, position (classification if agency-level; the evidence's key, as
# expected_flags.csv's evidence_key, if jurisdiction-level)
FlagKey = tuple[str, str, str]


def key(agency: str, subject: str, snapshot: str = "2025-06-30") -> FlagKey:
    """Return the key of one flag in the threshold cases below."""
    return (snapshot, agency, subject)


# (rule, thresholds changed, flags changed: new severity, or None where the flag must go)
THRESHOLD_CASES = [
    pytest.param("band_points_mismatch", {"assumed_range_severity_steps": 0},
                 {key("DOF", "P-104"): "high", key("DOF", "P-105"): "high",
                  key("DOF", "P-211"): "high", key("DOF", "B-401"): "high",
                  key("DWER", "W-001"): "high", key("DWER", "W-310"): "high"},
                 id="band_points_mismatch-assumed_range_severity_steps-0"),
    pytest.param("band_points_mismatch", {"assumed_range_severity_steps": 2},
                 {key("DOF", "P-104"): "low", key("DOF", "P-105"): "low",
                  key("DOF", "P-211"): "low", key("DOF", "B-401"): "low",
                  key("DWER", "W-001"): "low", key("DWER", "W-310"): "low"},
                 id="band_points_mismatch-assumed_range_severity_steps-2"),
    pytest.param("title_band_mismatch", {"medium_from_steps": 1},
                 {key("DJSIR", "TV-103"): "medium", key("DJSIR", "TV-202"): "medium",
                  key("DISR", "TA-102"): "medium"}, id="title_band_mismatch-medium_from_steps"),
    pytest.param("within_band_outlier", {"high_threshold": 3.5},
                 {key("DVA", "OUT-302"): "high"}, id="within_band_outlier-high_threshold"),
    pytest.param("within_band_outlier", {"threshold": 3.5},
                 {key("DAFF", "OUT-101"): None, key("DJSIR", "OUT-401"): None},
                 id="within_band_outlier-threshold"),
    pytest.param("stream_mismatch", {"profile_min_distance": 2.0},
                 {key("DITRDC", "PF-101"): None}, id="stream_mismatch-profile_min_distance"),
    pytest.param("within_band_outlier", {"min_far_factors": 5},
                 {key("DVA", "OUT-302"): None}, id="within_band_outlier-min_far_factors"),
    pytest.param("hierarchy_inversion", {"compressed_min_rank": 9},
                 {key("DHA", "H-041"): "medium"},
                 id="hierarchy_inversion-compressed_min_rank-9"),
    pytest.param("hierarchy_inversion", {"compressed_min_rank": 20},
                 {key("DHA", "H-031"): None}, id="hierarchy_inversion-compressed_min_rank-20"),
    pytest.param("missing_determination", {"vacant_severity": "medium"},
                 {key("DITRDCA", "I-031"): "medium"}, id="missing_determination-vacant"),
    pytest.param("missing_determination", {"heads_classified_in": ["WA", "APS"]},
                 {key("DITRDCA", "I-001"): "medium"}, id="missing_determination-heads"),
    pytest.param("stale_determination", {"max_age_years": 4},
                 {key("DCCEEW", "E-201", "2024-06-30"): "low", key("DCCEEW", "E-202"): "low"},
                 id="stale_determination-max_age_years"),
    pytest.param("stale_determination", {"max_resource_change": 0.4},
                 {key("DCCEEW", "E-302"): "low"}, id="stale_determination-max_resource_change"),
    pytest.param("stale_determination", {"structural_triggers": ["moved_agency"]},
                 {key("DCCEEW", "E-401"): None, key("DCCEEW", "E-403"): None,
                  key("DCCEEW", "E-405"): None, key("DCCEEW", "E-408"): None},
                 id="stale_determination-structural_triggers"),
    pytest.param("stale_determination", {"min_title_edits": 1},
                 {key("DCCEEW", "E-411"): "low"}, id="stale_determination-min_title_edits"),
    pytest.param("determination_creep", {"min_points_rise": 2},
                 {key("DISR", "C-103"): "medium"}, id="determination_creep-min_points_rise"),
    pytest.param("determination_creep", {"max_resource_change": 0.25},
                 {key("DISR", "C-102"): "medium"}, id="determination_creep-max_resource_change"),
    pytest.param("resource_evidence_mismatch", {"min_points_from_expected": 5},
                 {key("SA", "RES-101"): None, key("DEF", "RES-501"): None},
                 id="resource_evidence_mismatch-min_points_from_expected"),
    pytest.param("resource_evidence_mismatch", {"horizon_min_years_short": 3},
                 {key("DTP", "HV-301"): None, key("DISR", "HA-203"): None,
                  key("DISR", "HA-301"): None, key("DWER", "HW-201"): None},
                 id="resource_evidence_mismatch-horizon_min_years_short"),
    pytest.param("resource_evidence_mismatch", {"assumed_horizon_severity_steps": 0},
                 {key("DISR", "HA-301"): "medium", key("DWER", "HW-201"): "medium"},
                 id="resource_evidence_mismatch-assumed_horizon_severity_steps"),
    pytest.param("span_of_one", {"count_vacant_reports": False},
                 {key("DOF", "S-031"): None, key("DOF", "S-032"): "low"},
                 id="span_of_one-count_vacant_reports"),
    pytest.param("span_of_one", {"judge_top_posts": True}, {key("DOF", "S-001"): "low"},
                 id="span_of_one-judge_top_posts"),
    pytest.param("span_of_one", {"exempt_streams": ["delivery"]},
                 {key("DOF", "S-033"): "low", key("DOF", "S-031"): None,
                  key("DOF", "S-034"): None},
                 id="span_of_one-exempt_streams"),
    pytest.param("stretched_report", {"min_grade_distance": 3},
                 {key("DOT", "T-021"): None, key("DOT", "T-031"): None,
                  key("DPIRD", "W-021"): None}, id="stretched_report-min_grade_distance"),
    pytest.param("stretched_report", {"min_report_rank": 9}, {key("DOT", "T-040"): "low"},
                 id="stretched_report-min_report_rank"),
    pytest.param("agency_band_drift", {"min_share_of_gap": 1.5, "min_effect_size": 1.01},
                 {key("AGD", "SES1"): None, key("DVA", "SES3"): None, key("DPC", "SES1"): None,
                  key("ASD", "SES1", "2024-06-30"): None,
                  key("AEC", "SES1", "2024-06-30"): None},
                 id="agency_band_drift-min_share_of_gap"),
    pytest.param("agency_band_drift", {"min_positions": 4, "min_z": 2.5},
                 {key("ONI", "SES1"): "medium", key("ACMA", "SES1", "2024-06-30"): "medium"},
                 id="agency_band_drift-min_positions"),
    pytest.param("agency_band_drift", {"min_shift_points": 2},
                 {key("DSS", "SES2"): "medium"},
                 id="agency_band_drift-min_shift_points"),
    pytest.param("workload_rationale", {"dismissal_window_words": 2},
                 {key("DOH", "W-110"): "low"}, id="workload_rationale-dismissal_window_words"),
    pytest.param("workload_rationale", {"non_dismissive_phrases": []},
                 {key("DOH", "W-105"): None, key("DOH", "W-112"): None},
                 id="workload_rationale-non_dismissive_phrases"),
    pytest.param("workload_rationale", {"counted_scope_units": []},
                 {key("DOH", "W-125"): "medium"}, id="workload_rationale-counted_scope_units"),
    pytest.param("evaluator_leniency", {"min_residual_gap_points": 2.5},
                 {key("", "J. Nguyen"): None, key("", "O. Lindqvist"): None},
                 id="evaluator_leniency-min_residual_gap_points"),
    pytest.param("evaluator_leniency", {"min_determinations": 9},
                 {key("", "O. Lindqvist"): None}, id="evaluator_leniency-min_determinations"),
]


def read_golden(rule_id: str) -> list[dict[str, str]]:
    """Return the rows of a rule's expected_flags.csv."""
    with (RULES_DIR / rule_id / "expected_flags.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_flags(warehouse: Path, rule_id: str) -> list[dict[str, Any]]:
    """Return a rule's flags in a warehouse file, with dates as text and missing values as ''."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = connection.execute(
            "select snapshot_date::varchar as snapshot_date, jurisdiction, agency_code,"
            " position_id, classification, rule_id, severity, message, evidence::varchar"
            " as evidence, flag_key from flags where rule_id = ?", [rule_id])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    finally:
        connection.close()
    return [{name: "" if value is None else value for name, value in row.items()}
            for row in rows]


def flag_key(row: dict[str, Any]) -> FlagKey:
    """Return a flag's key as the threshold cases write it."""
    subject = row["position_id"] or row["classification"]
    if not subject:
        subject = (row["evidence_key"] if "evidence_key" in row
                   else json.loads(row["evidence"])["key"])
    return (row["snapshot_date"], row["agency_code"], subject)


def assert_fixture_is_read_as_written(warehouse: Path) -> None:
    """Fail when a fixture row was read off its columns: every classification is known."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        unread = connection.execute(
            "select position_id, classification from positions where classification_code is null"
            " union all select position_id, determined_classification from determinations"
            " where determined_classification_code is null").fetchall()
    finally:
        connection.close()
    assert not unread, f"classifications not recognised (columns shifted?): {unread}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Path]]:
    """Return a function that runs a fixture folder through the pipeline once per module."""
    cache: dict[str, Path] = {}

    def build(rule_id: str) -> Path:
        if rule_id not in cache:
            warehouse = tmp_path_factory.mktemp(rule_id) / "wh.duckdb"
            summary = run_pipeline(RULES_DIR / rule_id, warehouse, today=TODAY)
            assert summary.rows_quarantined == 0, f"{rule_id}: a fixture row was quarantined"
            assert_fixture_is_read_as_written(warehouse)
            cache[rule_id] = warehouse
        return cache[rule_id]

    yield build


def test_rule_ids_are_the_query_files_and_cover_the_contract() -> None:
    """Every rule is a query file, every data/rules.toml table a rule's, the contract all."""
    rule_ids = [rule.rule_id for rule in catalog.rules()]
    assert len(rule_ids) == len(set(rule_ids))
    assert rule_ids == catalog.rule_ids()
    assert set(data_file("rules.toml")) <= set(rule_ids)
    assert CONTRACT_RULE_IDS | {"stale_determination"} <= set(rule_ids)


def test_every_rule_has_a_golden_fixture() -> None:
    """Every rule has a folder of golden fixtures, and every folder is a rule."""
    assert set(FIXTURES) == {rule.rule_id for rule in catalog.rules()}
    assert set(EVIDENCE_KEYS) == set(FIXTURES)


@pytest.mark.parametrize("rule_id", FIXTURES)
def test_golden_file_is_well_formed(rule_id: str) -> None:
    """The golden rows name their rule, a known severity and a message fragment."""
    golden = read_golden(rule_id)
    assert golden, f"{rule_id}: a fixture must expect at least one flag"
    for row in golden:
        assert row["rule_id"] == rule_id
        assert row["severity"] in SEVERITIES
        assert row["message_contains"].strip()


@pytest.mark.parametrize("rule_id", FIXTURES)
def test_flags_equal_the_golden_file(rule_id: str, built: Callable[[str], Path]) -> None:
    """The rule raises exactly the golden flags, each message holding its fragment."""
    flags = read_flags(built(rule_id), rule_id)
    golden = read_golden(rule_id)
    assert (sorted(tuple(row[c] for c in KEY_COLUMNS) for row in flags)
            == sorted(tuple(row[c] for c in KEY_COLUMNS) for row in golden))
    unmatched = list(flags)
    for expected in golden:
        match = next((row for row in unmatched
                      if all(row[c] == expected[c] for c in KEY_COLUMNS)
                      and expected["message_contains"] in row["message"]), None)
        assert match is not None, (
            f"no {rule_id} flag for {expected['position_id'] or expected['classification']}"
            f" says {expected['message_contains']!r}; messages: "
            f"{[row['message'] for row in flags if row['agency_code'] == expected['agency_code']]}")
        unmatched.remove(match)


@pytest.mark.parametrize("rule_id", FIXTURES)
def test_evidence_holds_what_the_rule_promises(rule_id: str,
                                               built: Callable[[str], Path]) -> None:
    """Every evidence is a JSON object with the rule's values, thresholds and peer group."""
    flags = read_flags(built(rule_id), rule_id)
    for row in flags:
        evidence = json.loads(row["evidence"])
        assert isinstance(evidence, dict)
        missing = EVIDENCE_KEYS[rule_id] - set(evidence)
        assert not missing, f"{rule_id} evidence lacks {sorted(missing)}: {evidence}"
        if rule_id in PEER_GROUP_KEYS:
            assert PEER_GROUP_KEYS[rule_id] <= set(evidence["peer_group"])
        if rule_id == "within_band_outlier":  # aggregated: in name order, the same every run
            assert list(evidence["factors"]) == sorted(evidence["factors"]), evidence
        assert row["message"].endswith("."), row["message"]
    assert len({row["flag_key"] for row in flags}) == len(flags), "flag keys must be unique"


# Where a rule's magnitude is one of its evidence values, which one (the header says the unit).
MAGNITUDE_EVIDENCE = {"band_points_mismatch": "points_outside_held_range",
                      "within_band_outlier": "distance", "reporting_cycle": "loop_length"}


@pytest.mark.parametrize("rule_id", FIXTURES)
def test_every_flag_has_a_magnitude(rule_id: str, built: Callable[[str], Path]) -> None:
    """Every flag carries a magnitude of at least 0 to rank by, in the unit its header names."""
    connection = duckdb.connect(str(built(rule_id)), read_only=True)
    try:
        rows = connection.execute("select magnitude, evidence::varchar from flags"
                                  " where rule_id = ?", [rule_id]).fetchall()
    finally:
        connection.close()
    assert rows
    for magnitude, evidence in rows:
        assert magnitude is not None and magnitude >= 0, (rule_id, magnitude, evidence)
        if rule_id in MAGNITUDE_EVIDENCE:
            assert magnitude == abs(json.loads(evidence)[MAGNITUDE_EVIDENCE[rule_id]])
    if rule_id == "hierarchy_inversion":  # compressed 0, a step within a WA tier 0.5, EL1 over
        # APS6 a grade, SES2 over SES1 and PESES3 over PESES2 a tier
        magnitudes = sorted(magnitude for magnitude, _ in rows)
        assert magnitudes == [0, 0, 0, 0.5, 0.5, 1, 1, 1]


@pytest.mark.parametrize(("rule_id", "thresholds", "changes"), THRESHOLD_CASES)
def test_thresholds_are_read_from_data(rule_id: str, thresholds: dict[str, Any],
                                       changes: dict[FlagKey, str | None],
                                       built: Callable[[str], Path], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing a rule's threshold in data/rules.toml changes its flags as predicted."""
    rules = catalog.rules()
    rule = next(rule for rule in rules if rule.rule_id == rule_id)
    assert set(thresholds) <= set(rule.parameters), "only thresholds the rule has"
    changed = dataclasses.replace(rule, parameters={**rule.parameters, **thresholds})
    monkeypatch.setattr(catalog, "rules",
                        lambda: tuple(changed if r.rule_id == rule_id else r for r in rules))
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(built(rule_id), warehouse)
    connection = duckdb.connect(str(warehouse))
    try:
        check.run_checks(connection)
    finally:
        connection.close()

    expected = {flag_key(row): row["severity"] for row in read_golden(rule_id)}
    for changed_key, severity in changes.items():
        if severity is None:
            assert changed_key in expected, f"{changed_key} is not a golden flag to lose"
            del expected[changed_key]
        else:
            assert expected.get(changed_key) != severity, f"{changed_key} would not change"
            expected[changed_key] = severity
    flags = read_flags(warehouse, rule_id)
    assert {flag_key(row): row["severity"] for row in flags} == expected
    for row in flags:
        reported = json.loads(row["evidence"]).get("thresholds", {})
        for name, value in thresholds.items():
            if name in reported:
                assert reported[name] == value


def test_borderline_margin_of_scoring_sets_band_points_severity(
        built: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One margin: data/scoring.toml's borderline margin is where a low band flag turns high."""
    settings = parameters.scoring_parameters()
    monkeypatch.setattr(parameters, "scoring_parameters",
                        lambda: {**settings, "borderline_points": 1})
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(built("band_points_mismatch"), warehouse)
    connection = duckdb.connect(str(warehouse))
    try:
        score.score_positions(connection)
        check.run_checks(connection)
    finally:
        connection.close()
    expected = {flag_key(row): row["severity"] for row in read_golden("band_points_mismatch")}
    # 2 points outside is no longer borderline: high, one step lower on an assumed range
    expected.update({key("DOF", "P-103"): "medium", key("DOF", "P-202"): "medium",
                     key("DTF", "V-301"): "high", key("DWER", "W-401"): "medium"})
    flags = read_flags(warehouse, "band_points_mismatch")
    assert {flag_key(row): row["severity"] for row in flags} == expected
    assert {json.loads(row["evidence"])["thresholds"]["borderline_points"] for row in flags} == {1}
