"""Tests of the bundled sample generator: determinism, contract shape, clean rows and labels."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from samplegen import SampleSummary, write_sample

DATA = Path(__file__).resolve().parent.parent / "data"
SEED = 7
CONTRACT_RULES = {"band_points_mismatch", "within_band_outlier", "hierarchy_inversion",
                  "determination_mismatch", "missing_determination", "resource_evidence_mismatch",
                  "agency_band_drift", "orphan_reports_to", "reporting_cycle", "workload_rationale",
                  "stream_mismatch", "behaviour_outcome_offset"}
# rules the sample plants beyond the contract's first twelve
PLANTED_BEYOND_CONTRACT = {"stale_determination", "evaluator_leniency", "determination_creep",
                           "points_arithmetic", "title_band_mismatch", "span_of_one",
                           "stretched_report", "executive_cohort_growth",
                           "maturity_self_assessment_missing", "performance_rating_missing"}
AGENCY_LEVEL = ["agency_band_drift", "evaluator_leniency", "executive_cohort_growth",
                "maturity_self_assessment_missing", "performance_rating_missing"]
RATINGS = ["unsatisfactory", "developing", "effective", "highly effective", "outstanding"]
STREAMS = {"DELIVERY": "delivery", "POLICY": "policy", "PUBLICPOLICY": "policy",
           "PORTFOLIOANDPROGRAM": "program", "PORTFOLIOPROGRAM": "program",
           "PROJECTANDPROGRAM": "program",
           "REGULATORY": "regulatory", "PROFESSIONALSPECIALIST": "specialist", "CEO": "ceo"}
ALLOWED = {"APS": {"delivery", "policy", "regulatory", "specialist"},
           "VPS": {"delivery", "policy", "program", "regulatory", "specialist"},
           "VPS-PE": {"delivery", "policy", "program", "regulatory", "specialist"},
           "WA": {"delivery", "policy", "regulatory", "specialist", "ceo"}}
SPELLINGS = {"SES Band 1", "SES1", "SES-1", "SB1", "EL2", "APS 6", "VPS6", "STS", "PESES-2",
             "Class 3", "SES Class 3", "Level 9", "CEO Band 2", "Non-CEO Band 3", "Secretary",
             "Agency Head"}
FACTORS = ["knowledge", "relationships", "judgement_risk", "independence", "strategic_change",
           "impact", "breadth", "resource_management"]


def _toml(path: Path) -> dict:
    """Return a parsed TOML file."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


CLASSIFICATIONS = _toml(DATA / "classifications.toml")["patterns"]
GRADES = {g["code"]: g for g in _toml(DATA / "crosswalk.toml")["grades"]}
BANDS = {b["tier"]: (b["min_points"], b["max_points"])
         for b in _toml(DATA / "frameworks" / "vic_work_value_tool.toml")["bands"]}
PLANTS = _toml(DATA / "sample" / "plants.toml")


def normalise(jurisdiction: str, written: str) -> str | None:
    """Return the code classifications.toml gives a spelling, or None when no pattern matches."""
    key = re.sub(r"[^A-Z0-9]", "", written.upper())
    for p in CLASSIFICATIONS:
        match = re.fullmatch(p["pattern"], key)
        if jurisdiction in p["jurisdictions"] and match:
            return p["code"].replace("{1}", match.group(1) if match.groups() else "")
    return None


def read_extract(path: Path) -> pl.DataFrame:
    """Return an extract as text columns with trimmed lower-case names, whatever its format."""
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
    elif path.suffix == ".xlsx":
        frame = pl.read_excel(path)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    return frame.with_columns(pl.all().cast(pl.String))


def parse_dates(column: str) -> pl.Expr:
    """Return ISO or day-first text as dates."""
    day_first = pl.col(column).str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    return pl.coalesce(pl.col(column).str.strptime(pl.Date, "%Y-%m-%d", strict=False), day_first)


def number(column: str) -> pl.Expr:
    """Return text like `$1,200,000` or `12.5` as a float."""
    return pl.col(column).str.replace_all(r"[$,]", "").cast(pl.Float64)


def _extracts(out: Path, kind: str) -> pl.DataFrame:
    """Return every non-defect extract file of a kind, stacked."""
    paths = sorted(p for p in out.glob(f"{kind}_*") if "defects" not in p.name)
    return pl.concat([read_extract(p) for p in paths], how="diagonal")


def _with_code(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Return the frame with `code` normalised from `column` and the grade's rank and tier."""
    pairs = frame.select("jurisdiction", column).unique()
    codes = pairs.with_columns(code=pl.Series([normalise(j, c) for j, c in pairs.iter_rows()],
                                              dtype=pl.String))
    codes = codes.with_columns(
        rank=pl.col("code").replace_strict({c: g["rank"] for c, g in GRADES.items()}, default=None),
        tier=pl.col("code").replace_strict({c: g["tier"] for c, g in GRADES.items()}, default=None))
    return frame.join(codes, on=["jurisdiction", column], how="left")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleSummary]:
    """Return the folder and summary of one sample written at scale 1."""
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out, seed=SEED, scale=1.0)


@pytest.fixture(scope="module")
def positions(sample: tuple[Path, SampleSummary]) -> pl.DataFrame:
    """Return every position row with parsed numbers, dates, normalised code and rank."""
    frame = _extracts(sample[0], "positions").with_columns(
        parse_dates("snapshot_date").alias("snapshot_date"),
        number("fte").alias("fte"), number("staff_managed").alias("staff_managed"),
        number("budget_managed").alias("budget_managed"))
    return _with_code(frame, "classification")


@pytest.fixture(scope="module")
def decisions(sample: tuple[Path, SampleSummary]) -> pl.DataFrame:
    """Return every determination with its parsed date, recomputed total and normalised code."""
    frame = _extracts(sample[0], "determinations").with_columns(
        parse_dates("decision_date").alias("decision_date"),
        pl.sum_horizontal(pl.col(FACTORS).cast(pl.Int64)).alias("total"))
    return _with_code(frame, "determined_classification")


@pytest.fixture(scope="module")
def labels(sample: tuple[Path, SampleSummary]) -> pl.DataFrame:
    """Return expected_flags.csv with parsed snapshot dates."""
    frame = pl.read_csv(sample[0] / "expected_flags.csv", infer_schema=False)
    return frame.with_columns(parse_dates("snapshot_date").alias("snapshot_date"))


def labelled(labels: pl.DataFrame, rule: str) -> set[tuple]:
    """Return (snapshot_date, agency_code, position_id) of a rule's labels."""
    rows = labels.filter(pl.col("rule_id") == rule)
    return set(rows.select("snapshot_date", "agency_code", "position_id").iter_rows())


def as_of(decisions: pl.DataFrame, positions: pl.DataFrame) -> pl.DataFrame:
    """Return each executive position (not APS/VPS heads) with its latest decision as at
    the snapshot date (null columns when it has none)."""
    execs = positions.filter(pl.col("code").is_in([c for c, g in GRADES.items()
                                                   if g["executive"] and c != "HEAD"]))
    joined = execs.select("snapshot_date", "jurisdiction", "agency_code", "position_id",
                          held="code", held_tier="tier").join(
        decisions.select("agency_code", "position_id", "decision_date", "total", "code", "tier",
                         *FACTORS, "rationale"), on=["agency_code", "position_id"], how="left")
    joined = joined.filter(pl.col("decision_date").is_null()
                           | (pl.col("decision_date") <= pl.col("snapshot_date")))
    latest = pl.col("decision_date") == pl.col("decision_date").max().over(
        "snapshot_date", "agency_code", "position_id")
    return joined.filter(latest | pl.col("decision_date").is_null()).unique(
        ["snapshot_date", "agency_code", "position_id"], keep="first")


def moved_since_first(positions: pl.DataFrame, decided: pl.DataFrame) -> set[tuple]:
    """Return (snapshot, agency, position) of decided executives in the latest snapshot whose
    staff or budget moved by more than the plants' stale_moved_share since the first one."""
    first, latest = sorted(positions["snapshot_date"].unique())
    share = PLANTS["stale_moved_share"]
    then = positions.filter(pl.col("snapshot_date") == first).select(
        "agency_code", "position_id", s0="staff_managed", b0="budget_managed")
    now = positions.filter(pl.col("snapshot_date") == latest).join(
        decided.filter(pl.col("snapshot_date") == latest).select("agency_code", "position_id"),
        on=["agency_code", "position_id"]).join(then, on=["agency_code", "position_id"])
    moved = now.filter(((pl.col("staff_managed") - pl.col("s0")).abs() > share * pl.col("s0"))
                       & (pl.col("s0") > 0)
                       | ((pl.col("budget_managed") - pl.col("b0")).abs() > share * pl.col("b0"))
                       & (pl.col("b0") > 0))
    return set(moved.select("snapshot_date", "agency_code", "position_id").iter_rows())


def test_same_seed_gives_identical_bytes(sample: tuple[Path, SampleSummary],
                                         tmp_path: Path) -> None:
    out, summary = sample
    again = write_sample(tmp_path / "again", seed=SEED, scale=1.0)
    assert again.files == summary.files
    for name in summary.files:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    other = write_sample(tmp_path / "other", seed=SEED + 1, scale=1.0)
    assert (tmp_path / "other" / "positions_aps.csv").read_bytes() != (
        out / "positions_aps.csv").read_bytes()
    assert (tmp_path / "other" / "determinations_wa.parquet").read_bytes() != (
        out / "determinations_wa.parquet").read_bytes()
    assert set(other.planted) == set(summary.planted)
    assert other.planted["within_band_outlier"] == summary.planted["within_band_outlier"]


def test_summary_row_counts_match_files(sample: tuple[Path, SampleSummary]) -> None:
    out, summary = sample
    assert set(summary.files) == {p.name for p in out.iterdir()}
    for name, rows in summary.rows.items():
        assert read_extract(out / name).height == rows, name
    assert summary.rows["positions_aps.csv"] > 3000
    assert summary.quarantined == summary.rows["expected_quarantine.csv"] == 8


def test_formats_at_scale_one(sample: tuple[Path, SampleSummary]) -> None:
    out, _ = sample
    assert (out / "positions_vps.xlsx").exists() and (out / "determinations_vps.xlsx").exists()
    assert (out / "positions_wa.parquet").exists()
    assert (out / "positions_aps.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    raw = (out / "positions_vps-pe.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "Loddon\u2013Campaspe" in text and "30/06/2025" in text and "2025-06-30" in text
    assert re.search(r'"\$\d{1,3}(,\d{3})+"', (out / "positions_aps.csv").read_text("utf-8-sig"))
    assert "SNAPSHOT_DATE" in pl.read_parquet(out / "positions_wa.parquet").columns


def test_scale_above_one_writes_csv_not_xlsx(tmp_path: Path,
                                             sample: tuple[Path, SampleSummary]) -> None:
    summary = write_sample(tmp_path, seed=SEED, scale=1.5)
    assert "positions_vps.csv" in summary.files and not list(tmp_path.glob("*.xlsx"))
    assert summary.rows["positions_aps.csv"] > 1.4 * sample[1].rows["positions_aps.csv"]


def test_every_classification_spelling_normalises(positions: pl.DataFrame,
                                                  decisions: pl.DataFrame) -> None:
    for frame, column in ((positions, "classification"), (decisions, "determined_classification")):
        unknown = frame.filter(pl.col("code").is_null() | pl.col("rank").is_null())
        assert unknown.is_empty(), unknown.select("jurisdiction", column).unique()
    written = set(positions["classification"]) | set(decisions["determined_classification"])
    assert written >= SPELLINGS, SPELLINGS - written


def test_staff_managed_matches_the_tree(positions: pl.DataFrame) -> None:
    checked = 0
    for (_, _), group in positions.group_by("snapshot_date", "agency_code"):
        parent = dict(zip(group["position_id"], group["reports_to_position_id"], strict=True))
        fte = dict(zip(group["position_id"], group["fte"], strict=True))
        total = dict.fromkeys(parent, 0.0)
        rooted = set()
        for pid in parent:
            chain, node = [], parent[pid]
            while node in parent and node not in chain and node != pid:
                chain.append(node)
                node = parent[node]
            if node in parent:  # the line runs into a loop: not part of any tree
                continue
            rooted.add(pid)
            for ancestor in chain:
                total[ancestor] += fte[pid]
        for pid, staff in zip(group["position_id"], group["staff_managed"], strict=True):
            if pid in rooted:
                assert staff == pytest.approx(total[pid], abs=0.05), pid
                checked += 1
    assert checked > 0.99 * positions.height - 50


def test_reporting_lines_are_sound_except_planted(positions: pl.DataFrame,
                                                  labels: pl.DataFrame) -> None:
    managers = positions.select("snapshot_date", "agency_code",
                                reports_to_position_id="position_id", boss_rank="rank")
    joined = positions.join(managers, on=["snapshot_date", "agency_code",
                                          "reports_to_position_id"], how="left")
    key = ["snapshot_date", "agency_code", "position_id"]
    heads = joined.filter(pl.col("reports_to_position_id").is_null())
    assert heads.group_by("snapshot_date", "agency_code").len()["len"].max() == 1
    orphans = joined.filter(pl.col("reports_to_position_id").is_not_null()
                            & pl.col("boss_rank").is_null())
    assert set(orphans.select(key).iter_rows()) == labelled(labels, "orphan_reports_to")
    inverted = joined.filter(pl.col("rank") >= pl.col("boss_rank"))
    expected = labelled(labels, "hierarchy_inversion") | labelled(labels, "reporting_cycle")
    assert set(inverted.select(key).iter_rows()) <= expected
    assert labelled(labels, "hierarchy_inversion") <= set(inverted.select(key).iter_rows())


def test_clean_determinations_sit_inside_their_band(decisions: pl.DataFrame,
                                                    labels: pl.DataFrame) -> None:
    banded = decisions.with_columns(
        lo=pl.col("tier").replace_strict({t: b[0] for t, b in BANDS.items()}),
        hi=pl.col("tier").replace_strict({t: b[1] for t, b in BANDS.items()}))
    outside = banded.filter((pl.col("total") < pl.col("lo")) | (pl.col("total") > pl.col("hi")))
    planted = {(a, p) for _, a, p in labelled(labels, "band_points_mismatch")}
    assert set(outside.select("agency_code", "position_id").iter_rows()) <= planted
    after = date.fromisoformat(PLANTS["plant_decisions"][0])
    assert outside["decision_date"].min() >= after
    assert banded.height - outside.height > 300
    scores = decisions.select(pl.col(FACTORS).cast(pl.Int64)).to_numpy()
    assert scores.min() >= 1 and scores.max() <= 7


def test_band_labels_have_clear_margins(decisions: pl.DataFrame, positions: pl.DataFrame,
                                        labels: pl.DataFrame) -> None:
    latest = as_of(decisions, positions)
    margin = PLANTS["band_margin"]
    lo = pl.col("held_tier").replace_strict({t: b[0] for t, b in BANDS.items()})
    hi = pl.col("held_tier").replace_strict({t: b[1] for t, b in BANDS.items()})
    gap = pl.max_horizontal(lo - pl.col("total"), pl.col("total") - hi)
    measured = latest.filter(pl.col("total").is_not_null()).with_columns(gap=gap)
    outside = measured.filter(pl.col("gap") > 0)
    key = ["snapshot_date", "agency_code", "position_id"]
    assert set(outside.select(key).iter_rows()) == labelled(labels, "band_points_mismatch")
    assert outside["gap"].min() >= margin


def test_determinations_present_current_and_matching_except_planted(
        decisions: pl.DataFrame, positions: pl.DataFrame, labels: pl.DataFrame) -> None:
    latest = as_of(decisions, positions)
    key = ["snapshot_date", "agency_code", "position_id"]
    missing = latest.filter(pl.col("decision_date").is_null())
    assert set(missing.select(key).iter_rows()) == labelled(labels, "missing_determination")
    decided = latest.filter(pl.col("decision_date").is_not_null())
    old = decided.filter(pl.col("decision_date") < pl.col("snapshot_date").dt.offset_by("-5y"))
    # positions another plant moved, retitled or whose manager it reclassified (the plants' own
    # record, in the label's note)
    restructured = labels.filter(pl.col("rule_id").eq("stale_determination")
                                 & pl.col("note").str.ends_with("after its decision: re-evaluate"))
    assert set(old.select(key).iter_rows()) | moved_since_first(positions, decided) | set(
        restructured.select(key).iter_rows()) == labelled(labels, "stale_determination")
    assert set(old["snapshot_date"]) == {positions["snapshot_date"].max()}
    differs = decided.filter(pl.col("code") != pl.col("held"))
    assert set(differs.select(key).iter_rows()) == labelled(labels, "determination_mismatch")


def test_streams_valid_except_planted(positions: pl.DataFrame, labels: pl.DataFrame) -> None:
    written = positions.filter(pl.col("stream").is_not_null())
    keys = written["stream"].str.to_uppercase().str.replace_all(r"[^A-Z]", "")
    streams = written.with_columns(key=keys.replace_strict(STREAMS, default=None))
    allowed = pl.struct("jurisdiction", "key").map_elements(
        lambda r: r["key"] in ALLOWED[r["jurisdiction"]], return_dtype=pl.Boolean)
    bad = streams.filter(~allowed)
    key = ["snapshot_date", "agency_code", "position_id"]
    assert set(bad.select(key).iter_rows()) == labelled(labels, "stream_mismatch")
    assert {"Public Policy", "Portfolio & Program", "Project and Program", "CEO"} <= set(
        written["stream"].unique())


def test_overall_rating_never_above_behaviours_except_planted(
        sample: tuple[Path, SampleSummary], labels: pl.DataFrame) -> None:
    rated = read_extract(sample[0] / "performance_aps.csv").with_columns(
        pl.col(c).replace_strict({r: i for i, r in enumerate(RATINGS)}).alias(c)
        for c in ("outcomes_rating", "behaviours_rating", "overall_rating"))
    above = rated.filter(pl.col("overall_rating") > pl.col("behaviours_rating"))
    planted = {(a, p) for _, a, p in labelled(labels, "behaviour_outcome_offset")}
    assert set(above.select("agency_code", "position_id").iter_rows()) == planted
    assert above["cycle"].unique().to_list() == ["2024-25"]


def test_every_rule_planted_at_least_twice(sample: tuple[Path, SampleSummary],
                                           labels: pl.DataFrame) -> None:
    counts = dict(labels.group_by("rule_id").len().iter_rows())
    assert set(counts) == CONTRACT_RULES | PLANTED_BEYOND_CONTRACT
    assert min(counts.values()) >= 2
    assert sample[1].planted == counts
    agency_level = pl.col("rule_id").is_in(AGENCY_LEVEL)
    assert labels.filter(agency_level)["position_id"].is_null().all()
    assert labels.filter(~agency_level)["position_id"].is_not_null().all()


def test_workload_rationales_and_their_clean_twins(decisions: pl.DataFrame,
                                                   positions: pl.DataFrame,
                                                   labels: pl.DataFrame) -> None:
    latest = as_of(decisions, positions).filter(pl.col("snapshot_date") == pl.col(
        "snapshot_date").max())
    planted = {p for _, _, p in labelled(labels, "workload_rationale")}
    wording = r"(?i)volume|caseload|number of (staff|briefs)|applications a year|workload"
    hits = latest.filter(pl.col("rationale").str.contains(wording))
    twins = hits.filter(~pl.col("position_id").is_in(sorted(planted)))
    assert planted <= set(hits["position_id"])
    assert twins.height == PLANTS["dismissive_twins"]
    assert twins["rationale"].str.contains(r"not work value|disregards|not counted|not its quantity"
                                           ).all()


def test_quarantine_list_points_at_the_defects(sample: tuple[Path, SampleSummary]) -> None:
    out, _ = sample
    expected = pl.read_csv(out / "expected_quarantine.csv", infer_schema=False)
    for source, row, column, _note in expected.iter_rows():
        frame = read_extract(out / source)
        value = frame[int(row) - 1, column]
        assert value in (None, "", "1.5", "-250000", "9", "12/31/2024") or value == frame[
            0, column], (source, row, column, value)
    assert set(expected["column"]) >= {"snapshot_date", "fte", "budget_managed", "position_id",
                                       "knowledge", "decision_date"}


def test_the_generator_imports_nothing_from_the_pipeline() -> None:
    code = ("import sys, samplegen, samplegen.plants; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pipeline'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_each_plant_module_is_named_after_a_rule() -> None:
    root = Path(__file__).resolve().parent.parent
    modules = {p.stem for p in (root / "samplegen" / "plants").glob("*.py")} - {"__init__"}
    rules = {p.stem for p in (root / "sql" / "rules").glob("*.sql")}
    assert modules <= rules, modules - rules
    assert modules == CONTRACT_RULES | PLANTED_BEYOND_CONTRACT
