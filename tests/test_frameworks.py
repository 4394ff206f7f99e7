"""The framework files under data/frameworks match their source documents' structure."""

import ast
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline import frameworks
from pipeline.frameworks import Framework, alias_key

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
STREAM_CODES = {
    "delivery",
    "policy",
    "portfolio_program",
    "regulatory",
    "professional_specialist",
    "ceo",
}
CLASSIFICATION_FRAMEWORKS = ("aps_ses_wls", "vps_executive_wvs", "vps_pe_peses", "wa_ecm")


def crosswalk_tiers() -> dict[str, str]:
    """Return the crosswalk tier of every classification code in data/crosswalk.toml."""
    with (REPO / "data" / "crosswalk.toml").open("rb") as handle:
        grades = tomllib.load(handle)["grades"]
    return {grade["code"]: grade["tier"] for grade in grades}


def framework(framework_id: str) -> Framework:
    """Return a framework by id (shorthand for the tests)."""
    return frameworks.load_framework(framework_id)


# ---- Every file -----------------------------------------------------------------------------


def test_framework_files_are_the_five_seed_documents() -> None:
    assert frameworks.framework_ids() == (
        "aps_ses_plf",
        "aps_ses_wls",
        "vps_executive_wvs",
        "vps_pe_peses",
        "wa_ecm",
    )
    assert [f.id for f in frameworks.all_frameworks()] == list(frameworks.framework_ids())


APSC = "Australian Public Service Commission"
VPSC = "Victorian Public Sector Commission"
WA_PSC = "Public Sector Commission (Western Australia)"


@pytest.mark.parametrize(
    ("framework_id", "seed", "publisher", "jurisdictions"),
    [
        ("aps_ses_wls", "000_78637c145a2d6994.txt", APSC, ("APS",)),
        ("vps_executive_wvs", "001_c490024c2d5e0088.txt", VPSC, ("VPS",)),
        ("aps_ses_plf", "002_f6bfc7e96717b037.txt", APSC, ("APS",)),
        ("vps_pe_peses", "003_9cda28a4ad2da3bc.txt", VPSC, ("VPS-PE",)),
        ("wa_ecm", "004_2ba376309bafd352.txt", WA_PSC, ("WA",)),
    ],
)
def test_each_file_cites_its_seed(
    framework_id: str, seed: str, publisher: str, jurisdictions: tuple[str, ...]
) -> None:
    fw = framework(framework_id)
    assert fw.id == framework_id
    assert fw.source.seed == seed
    assert fw.source.publisher == publisher
    assert fw.source.title
    assert fw.jurisdictions == jurisdictions


def test_unknown_framework_is_a_framework_error() -> None:
    with pytest.raises(frameworks.FrameworkError, match="not found"):
        frameworks.load_framework("no_such_framework")


def test_loaded_frameworks_are_cached_and_frozen() -> None:
    fw = framework("wa_ecm")
    assert frameworks.load_framework("wa_ecm") is fw
    with pytest.raises(AttributeError):
        fw.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("framework_id", CLASSIFICATION_FRAMEWORKS)
def test_band_tiers_equal_the_crosswalk(framework_id: str) -> None:
    tiers = crosswalk_tiers()
    for band in framework(framework_id).bands:
        assert band.tier == tiers[band.code], band.code


@pytest.mark.parametrize("framework_id", CLASSIFICATION_FRAMEWORKS)
def test_bands_and_streams_are_described(framework_id: str) -> None:
    fw = framework(framework_id)
    assert {s.code for s in fw.streams} <= STREAM_CODES
    for stream in fw.streams:
        assert stream.summary.endswith(".")
        assert ". " not in stream.summary, f"{stream.code}: summary is one sentence"
    for band in fw.bands:
        assert band.distinguishing, band.code
        assert all(line.endswith(".") for line in band.distinguishing)


# ---- APS SES work level standards (seed 000) ------------------------------------------------


def test_aps_has_exactly_four_streams() -> None:
    streams = framework("aps_ses_wls").streams
    assert [(s.code, s.name) for s in streams] == [
        ("delivery", "Delivery"),
        ("policy", "Public Policy"),
        ("regulatory", "Regulatory"),
        ("professional_specialist", "Professional / Specialist"),
    ]


def test_aps_bands_and_planning_horizons() -> None:
    bands = framework("aps_ses_wls").bands
    assert [(b.code, b.name, b.tier) for b in bands] == [
        ("SES1", "SES Band 1", "SES1"),
        ("SES2", "SES Band 2", "SES2"),
        ("SES3", "SES Band 3", "SES3"),
    ]
    horizons = [(b.planning_horizon_years_min, b.planning_horizon_years_max) for b in bands]
    assert horizons == [(1, 1), (4, None), (None, None)]


def test_aps_has_six_dimensions_with_leadership_grouping_two() -> None:
    dims = framework("aps_ses_wls").dimensions
    assert [d.code for d in dims] == [
        "knowledge",
        "accountability",
        "diversity_span",
        "stakeholder_management",
        "job_context_environment",
        "judgement_independence",
    ]
    assert [d.code for d in dims if d.group == "Leadership"] == ["knowledge", "accountability"]


# ---- Victorian executive work value standards (seed 001) -------------------------------------


def test_vps_streams_and_bands() -> None:
    fw = framework("vps_executive_wvs")
    assert [s.code for s in fw.streams] == [
        "delivery",
        "policy",
        "portfolio_program",
        "regulatory",
        "professional_specialist",
    ]
    assert [(b.code, b.tier) for b in fw.bands] == [
        ("SES1", "SES1"),
        ("SES2", "SES2"),
        ("SES3", "SES3"),
    ]
    horizons = [(b.planning_horizon_years_min, b.planning_horizon_years_max) for b in fw.bands]
    assert horizons == [(2, 3), (2, 3), (3, 5)]
    assert [b.typical_titles for b in fw.bands] == [
        ("Director",),
        ("Executive Director",),
        ("Deputy Secretary",),
    ]
    assert fw.scoring_tool == "vic_work_value_tool"


@pytest.mark.parametrize("framework_id", ["vps_executive_wvs", "wa_ecm"])
def test_eight_factors_match_the_work_value_tool(framework_id: str) -> None:
    factors = framework(framework_id).factors
    tool = frameworks.work_value_tool()
    assert [f.column for f in factors] == [f.column for f in tool.factors]
    assert [f.name for f in factors] == [f.name for f in tool.factors]
    assert [f.column for f in factors] == [
        "knowledge",
        "relationships",
        "judgement_risk",
        "independence",
        "strategic_change",
        "impact",
        "breadth",
        "resource_management",
    ]
    assert all(f.summary.endswith(".") and ". " not in f.summary for f in factors)


# ---- Victorian public entity PESES streams (seed 003) ----------------------------------------


def test_peses_streams_bands_and_no_factors() -> None:
    fw = framework("vps_pe_peses")
    assert [(s.code, s.name) for s in fw.streams] == [
        ("delivery", "Delivery"),
        ("policy", "Policy"),
        ("portfolio_program", "Project and Program"),
        ("regulatory", "Regulatory"),
        ("professional_specialist", "Professional/Specialist"),
    ]
    assert [(b.code, b.name, b.tier) for b in fw.bands] == [
        ("PESES1", "PESES-1", "SES1"),
        ("PESES2", "PESES-2", "SES2"),
        ("PESES3", "PESES-3", "SES3"),
    ]
    assert fw.factors == ()
    assert all(b.planning_horizon_years_min is None for b in fw.bands)
    assert fw.scoring_tool == "vic_work_value_tool"


# ---- WA executive classification methodology (seed 004) --------------------------------------


def test_wa_has_six_streams_including_ceo() -> None:
    streams = framework("wa_ecm").streams
    assert [s.code for s in streams] == [
        "delivery",
        "policy",
        "portfolio_program",
        "regulatory",
        "professional_specialist",
        "ceo",
    ]


def test_wa_tiers_hold_the_documents_classifications() -> None:
    fw = framework("wa_ecm")
    assert [(t.tier, t.classifications, t.crosswalk_tier) for t in fw.tiers] == [
        (1, ("WA-CEO1",), "SES4"),
        (2, ("WA-CEO2", "WA-NONCEO2"), "SES3"),
        (3, ("WA-CEO3", "WA-NONCEO3", "WA-CLASS3", "WA-CLASS4"), "SES2"),
        (4, ("WA-CEO4", "WA-NONCEO4", "WA-CLASS1", "WA-CLASS2"), "SES1"),
        (5, ("WA-L9",), "SUBSES"),
    ]
    names = {b.code: b.name for b in fw.bands}
    tier_3 = next(t for t in fw.tiers if t.tier == 3)
    assert [names[c] for c in tier_3.classifications] == [
        "CEO Band 3",
        "Non-CEO Band 3",
        "Class 3",
        "Class 4",
    ]
    assert fw.below_tier_note


def test_wa_bands_agree_with_their_tier_and_the_crosswalk() -> None:
    fw = framework("wa_ecm")
    tiers = crosswalk_tiers()
    tier_of = {code: t for t in fw.tiers for code in t.classifications}
    assert set(tier_of) == {b.code for b in fw.bands}
    assert sum(len(t.classifications) for t in fw.tiers) == len(fw.bands) == 12
    for band in fw.bands:
        assert band.work_level_tier == tier_of[band.code].tier
        assert band.tier == tier_of[band.code].crosswalk_tier == tiers[band.code]


def test_wa_only_ceo_bands_sit_in_the_ceo_stream() -> None:
    bands = framework("wa_ecm").bands
    ceo_bands = {b.code for b in bands if b.allowed_streams == ("ceo",)}
    assert ceo_bands == {"WA-CEO1", "WA-CEO2", "WA-CEO3", "WA-CEO4"}
    assert {b.division for b in bands if b.code in ceo_bands} == {"CEO Special Division"}
    assert all("ceo" not in b.allowed_streams for b in bands if b.code not in ceo_bands)


def test_wa_principle_work_value_excludes_workload_and_work_mix() -> None:
    principles = framework("wa_ecm").principles
    assert principles is not None
    assert principles.work_value_excludes == ("workload", "work mix")
    workload = frameworks.workload_terms()
    value = frameworks.work_value_terms()
    scope = frameworks.scope_evidence_terms()
    for term in ("workload", "volume", "more transactions", "high demand", "caseload", "hours"):
        assert term in workload
    for term in ("number of", "reports", "transactions"):  # scope language too: no workload alone
        assert term not in workload
    for term in ("complexity", "accountability", "judgement"):
        assert term in value
    for term in ("fte", "operating budget", "statutory delegations"):
        assert term in scope
    assert not set(workload) & set(value) and not set(workload) & set(scope)
    assert all(t == t.lower().strip() and t for t in (*workload, *value, *scope))


# ---- APS SES Performance Leadership Framework (seed 002) -------------------------------------


def test_plf_elements_equal_the_contracts_maturity_elements() -> None:
    assert frameworks.maturity_elements() == (
        "expectations",
        "assessment",
        "reward and recognition",
        "development",
        "unsatisfactory performance",
    )
    assert len(framework("aps_ses_plf").elements) == 5


def test_plf_has_four_maturity_levels_from_initial_to_leading() -> None:
    levels = framework("aps_ses_plf").maturity_levels
    assert [lvl.level for lvl in levels] == [1, 2, 3, 4]
    assert (levels[0].name, levels[-1].name) == ("initial", "leading")


def test_plf_rating_scale_and_offset_rule() -> None:
    assert frameworks.rating_scale() == (
        "unsatisfactory",
        "developing",
        "effective",
        "highly effective",
        "outstanding",
    )
    rules = {r.rule_id: r for r in framework("aps_ses_plf").rules}
    assert rules["behaviour_outcome_offset"].overall_may_not_exceed == "behaviours_rating"
    assert rules["behaviour_outcome_offset"].concern_below == "effective"
    assert frameworks.behaviour_offset_rule() == rules["behaviour_outcome_offset"]


def test_plf_has_no_classification_structure() -> None:
    fw = framework("aps_ses_plf")
    assert (fw.streams, fw.bands, fw.factors) == ((), (), ())


# ---- Stream aliases --------------------------------------------------------------------------


def resolve(jurisdiction: str, written: str) -> str | None:
    """Return the stream code an agency's spelling resolves to, or None."""
    lookup = {(a.jurisdiction, a.alias_key): a.stream_code for a in frameworks.stream_aliases()}
    return lookup.get((jurisdiction, alias_key(written)))


@pytest.mark.parametrize(
    ("jurisdiction", "written", "expected"),
    [
        ("APS", "Delivery", "delivery"),
        ("APS", "Policy", "policy"),
        ("APS", "Public Policy", "policy"),
        ("APS", "Regulatory", "regulatory"),
        ("APS", "Professional/Specialist", "professional_specialist"),
        ("APS", "professional / specialist", "professional_specialist"),
        ("APS", "Portfolio and Program", None),
        ("APS", "CEO", None),
        ("VPS", "Portfolio and Program", "portfolio_program"),
        ("VPS", "Portfolio & Program", "portfolio_program"),
        ("VPS", "Project and Program", "portfolio_program"),
        ("VPS", "PROFESSIONAL /SPECIALIST", "professional_specialist"),
        ("VPS", "CEO", None),
        ("VPS-PE", "Project and Program", "portfolio_program"),
        ("VPS-PE", "Portfolio & Program", "portfolio_program"),
        ("VPS-PE", "Public Policy", "policy"),
        ("VPS-PE", "CEO", None),
        ("WA", "CEO", "ceo"),
        ("WA", "Portfolio and program", "portfolio_program"),
        ("WA", "Professional/ Specialist", "professional_specialist"),
        ("WA", "Policy", "policy"),
        ("UK", "Policy", None),
    ],
)
def test_contract_stream_spellings_normalise(
    jurisdiction: str, written: str, expected: str | None
) -> None:
    assert resolve(jurisdiction, written) == expected


def test_alias_rows_are_unique_and_include_names_and_codes() -> None:
    rows = frameworks.stream_aliases()
    keys = [(a.jurisdiction, a.alias_key) for a in rows]
    assert len(keys) == len(set(keys))
    assert ("APS", "PROFESSIONALSPECIALIST") in keys
    assert ("VPS", "PORTFOLIOPROGRAM") in keys
    assert all(re.fullmatch(r"[A-Z0-9]+", a.alias_key) for a in rows)


def test_an_alias_naming_two_streams_is_an_error() -> None:
    aps = framework("aps_ses_wls")
    policy = next(s for s in aps.streams if s.code == "policy")
    clash = replace(policy, code="delivery", name="Delivery", aliases=("Public Policy",))
    broken = replace(aps, streams=(policy, clash))
    with pytest.raises(frameworks.FrameworkError, match="PUBLICPOLICY"):
        frameworks._alias_rows((broken,))


def test_streams_for_lists_only_the_jurisdictions_streams() -> None:
    assert len(frameworks.streams_for("APS")) == 4
    assert len(frameworks.streams_for("VPS")) == 5
    assert len(frameworks.streams_for("VPS-PE")) == 5
    assert [s.code for s in frameworks.streams_for("WA")][-1] == "ceo"
    assert frameworks.streams_for("UK") == ()


# ---- Victorian work value assessment tool ----------------------------------------------------


def test_work_value_tool_bands_and_scale() -> None:
    tool = frameworks.work_value_tool()
    assert [(b.tier, b.min_points, b.max_points) for b in tool.bands] == [
        ("SES1", 21, 35),
        ("SES2", 36, 47),
        ("SES3", 48, 56),
    ]
    assert tool.allowed_scores() == (1, 2, 3, 4, 5, 6, 7)
    assert (tool.scale_minimum, tool.scale_maximum) == (1, 7)
    assert len(tool.factors) * tool.scale.maximum == tool.bands[-1].max_points


def test_work_value_tool_guide_lands_in_its_band() -> None:
    tool = frameworks.work_value_tool()
    assert [(g.total, g.tier) for g in tool.guide] == [(24, "SES1"), (40, "SES2"), (56, "SES3")]
    for point in tool.guide:
        assert point.total == point.score_every_factor * len(tool.factors)
        assert tool.band_for_points(point.total) == point.tier


@pytest.mark.parametrize(
    ("total", "tier"),
    [
        (8, None),
        (20, None),
        (21, "SES1"),
        (35, "SES1"),
        (36, "SES2"),
        (47, "SES2"),
        (48, "SES3"),
        (56, "SES3"),
        (57, None),
    ],
)
def test_band_for_points_edges(total: int, tier: str | None) -> None:
    assert frameworks.work_value_tool().band_for_points(total) == tier


# ---- House rules -----------------------------------------------------------------------------


def test_loader_holds_no_band_or_range_literals() -> None:
    tree = ast.parse((REPO / "pipeline" / "frameworks.py").read_text(encoding="utf-8"))
    constants = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
    numbers = [c for c in constants if isinstance(c, int | float) and not isinstance(c, bool)]
    assert set(numbers) <= {0, 1}
    band_like = re.compile(r"\b(?:PE)?SES\d|\bWA-|\bSES[1-4]\b")
    assert not [c for c in constants if isinstance(c, str) and band_like.search(c)]


def framework_strings(value: object) -> list[str]:
    """Return every string inside a parsed TOML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in framework_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in framework_strings(v)]
    return []


def word_runs(text: str, size: int) -> set[tuple[str, ...]]:
    """Return every run of ``size`` consecutive lower-case words in ``text``."""
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.parametrize("framework_id", frameworks.framework_ids())
def test_no_text_is_copied_from_the_seed(framework_id: str) -> None:
    seed = SEEDS / framework(framework_id).source.seed  # type: ignore[operator]
    if not seed.is_file():
        pytest.skip(f"seed documents not available at {SEEDS}")
    with (REPO / "data" / "frameworks" / f"{framework_id}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    data.pop("source")  # the document's own title is cited, not paraphrased
    strings = framework_strings(data)
    seed_runs = word_runs(seed.read_text(encoding="utf-8"), 8)
    copied = [s for s in strings if word_runs(s, 8) & seed_runs]
    assert not copied
