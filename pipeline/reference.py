"""Reference data: the ref_* tables, rebuilt from the files under data/ on every run."""

from __future__ import annotations

import duckdb
import polars as pl

from pipeline import catalog, frameworks
from pipeline.duck import register_table
from pipeline.settings import data_file
from pipeline.severity import severities_table


def reference_tables() -> dict[str, pl.DataFrame]:
    """Return every ref_* table by name, each built from its file under data/."""
    return {
        "ref_classification_patterns": classification_patterns(),
        "ref_crosswalk": crosswalk(),
        "ref_stream_aliases": stream_aliases(),
        "ref_jurisdictions": jurisdictions(),
        "ref_published_bands": published_bands(),
        "ref_points_tier_kinds": points_tier_kinds(),
        "ref_points_jurisdictions": points_jurisdictions(),
        "ref_within_rank_order": within_rank_order(),
        "ref_rating_scale": rating_scale(),
        "ref_behaviour_offset": behaviour_offset(),
        "ref_rationale_terms": rationale_terms(),
        "ref_band_streams": band_streams(),
        "ref_typical_titles": typical_titles(),
        "ref_planning_horizons": planning_horizons(),
        "ref_guide_scores": guide_scores(),
        "ref_plf_elements": plf_elements(),
        "ref_severities": severities_table(),
        "ref_rules": rules_table(),
    }


def refresh_reference_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every ref_* table from data/ (and the rule catalog); run on every load."""
    for name, frame in reference_tables().items():
        register_table(connection, name, frame)


def classification_patterns() -> pl.DataFrame:
    """Return data/classifications.toml as one row per (jurisdiction, pattern), in order."""
    rows = [
        {"jurisdiction": jurisdiction, "priority": priority, "pattern": entry["pattern"],
         "code": entry["code"]}
        for priority, entry in enumerate(data_file("classifications.toml")["patterns"])
        for jurisdiction in entry["jurisdictions"]
    ]
    return pl.DataFrame(rows, schema={"jurisdiction": pl.String, "priority": pl.Int64,
                                      "pattern": pl.String, "code": pl.String})


def crosswalk() -> pl.DataFrame:
    """Return data/crosswalk.toml: classification code -> tier, rank, executive."""
    frame = pl.DataFrame(data_file("crosswalk.toml")["grades"])
    return frame.rename({"code": "classification_code"}).select(
        "classification_code", "tier", pl.col("rank").cast(pl.Int64),
        pl.col("executive").cast(pl.Boolean))


def jurisdictions() -> pl.DataFrame:
    """Return data/jurisdictions.toml: code, name, and whether determinations are expected."""
    return pl.DataFrame(
        [(entry["code"], entry["name"], entry.get("determinations_expected", True))
         for entry in data_file("jurisdictions.toml")["jurisdictions"]],
        schema={"jurisdiction": pl.String, "name": pl.String,
                "determinations_expected": pl.Boolean}, orient="row")


def stream_aliases() -> pl.DataFrame:
    """Return the frameworks' stream aliases: (jurisdiction, alias key) -> stream code."""
    return pl.DataFrame(
        [(alias.jurisdiction, alias.alias_key, alias.stream_code)
         for alias in frameworks.stream_aliases()],
        schema={"jurisdiction": pl.String, "alias_key": pl.String, "stream_code": pl.String},
        orient="row")


def published_bands() -> pl.DataFrame:
    """Return the published total-points range of each tier (the Victorian tool's)."""
    return pl.DataFrame(
        [{"tier": band.tier, "min_points": band.min_points, "max_points": band.max_points}
         for band in frameworks.work_value_tool().bands],
        schema={"tier": pl.String, "min_points": pl.Int64, "max_points": pl.Int64})


def points_tier_kinds() -> pl.DataFrame:
    """Return the tiers data/scoring.toml holds with no published range, and which kind each is."""
    points = data_file("scoring.toml")["points"]
    return pl.DataFrame(
        [(tier, kind) for kind in ("above_top_band", "below_executive") for tier in points[kind]],
        schema={"tier": pl.String, "kind": pl.String}, orient="row")


def points_jurisdictions() -> pl.DataFrame:
    """Return the jurisdictions scored on points and whether their ranges are published there."""
    points = data_file("scoring.toml")["points"]
    return pl.DataFrame(
        {"jurisdiction": points["jurisdictions"],
         "is_published_here": [code in points["published_in"] for code in points["jurisdictions"]]},
        schema={"jurisdiction": pl.String, "is_published_here": pl.Boolean})


def within_rank_order() -> pl.DataFrame:
    """Return data/crosswalk.toml's within_rank_order: each code's list and step (1 = lowest)."""
    crosswalk_data = data_file("crosswalk.toml")
    ranks = {grade["code"]: grade["rank"] for grade in crosswalk_data["grades"]}
    rows = []
    for group, codes in enumerate(crosswalk_data.get("within_rank_order", []), start=1):
        code_ranks = {ranks.get(code) for code in codes}
        if len(code_ranks) != 1 or None in code_ranks:
            raise frameworks.FrameworkError(
                f"crosswalk.toml: within_rank_order {codes} must hold graded codes of one rank")
        rows += [(code, group, step) for step, code in enumerate(codes, start=1)]
    return pl.DataFrame(rows, schema={"classification_code": pl.String,
                                      "order_group": pl.Int64, "step": pl.Int64}, orient="row")


def rating_scale() -> pl.DataFrame:
    """Return the performance rating scale, each rating with its rank (1 lowest)."""
    scale = frameworks.rating_scale()
    return pl.DataFrame({"rating": list(scale), "rating_rank": list(range(1, len(scale) + 1))},
                        schema={"rating": pl.String, "rating_rank": pl.Int64})


def behaviour_offset() -> pl.DataFrame:
    """Return the PLF's offset rule: the rating the overall may not exceed, a concern's bound."""
    scale = frameworks.rating_scale()
    offset = frameworks.behaviour_offset_rule()
    return pl.DataFrame({"overall_may_not_exceed": [offset.overall_may_not_exceed],
                         "concern_below": [offset.concern_below],
                         "concern_below_rank": [scale.index(offset.concern_below) + 1]},
                        schema={"overall_may_not_exceed": pl.String, "concern_below": pl.String,
                                "concern_below_rank": pl.Int64})


def rationale_terms() -> pl.DataFrame:
    """Return the WA method's rationale terms, each with its kind: workload, work_value, scope."""
    return pl.DataFrame(
        [(term, "workload") for term in frameworks.workload_terms()]
        + [(term, "work_value") for term in frameworks.work_value_terms()]
        + [(term, "scope") for term in frameworks.scope_evidence_terms()],
        schema={"term": pl.String, "kind": pl.String}, orient="row")


def band_streams() -> pl.DataFrame:
    """Return the streams each band of every framework may hold."""
    return pl.DataFrame(
        [(band.code, stream) for framework in frameworks.all_frameworks()
         for band in framework.bands for stream in band.allowed_streams],
        schema={"classification_code": pl.String, "stream_code": pl.String}, orient="row")


def typical_titles() -> pl.DataFrame:
    """Return each framework band's typical titles: jurisdiction, band code, title (lower case)."""
    return pl.DataFrame(
        [(jurisdiction, band.code, title.lower()) for framework in frameworks.all_frameworks()
         for jurisdiction in framework.jurisdictions for band in framework.bands
         for title in band.typical_titles],
        schema={"jurisdiction": pl.String, "classification_code": pl.String,
                "title": pl.String}, orient="row")


def planning_horizons() -> pl.DataFrame:
    """Return each framework band's published planning horizon in years (a band whose document
    gives no number has no row): jurisdiction, band code, tier, minimum, maximum (null: none),
    the framework and its seed."""
    return pl.DataFrame(
        [(jurisdiction, band.code, band.tier, band.planning_horizon_years_min,
          band.planning_horizon_years_max, framework.id, framework.source.seed)
         for framework in frameworks.all_frameworks() for jurisdiction in framework.jurisdictions
         for band in framework.bands if band.planning_horizon_years_min is not None],
        schema={"jurisdiction": pl.String, "classification_code": pl.String, "tier": pl.String,
                "min_years": pl.Float64, "max_years": pl.Float64, "framework_id": pl.String,
                "seed": pl.String}, orient="row")


def guide_scores() -> pl.DataFrame:
    """Return the work value tool's worked guide: the score on every factor that lands in each
    tier (3 Band 1, 5 Band 2, 7 Band 3)."""
    return pl.DataFrame(
        [(point.tier, point.score_every_factor) for point in frameworks.work_value_tool().guide],
        schema={"tier": pl.String, "score_every_factor": pl.Int64}, orient="row")


def plf_elements() -> pl.DataFrame:
    """Return the Performance Leadership Framework's elements for each jurisdiction it binds."""
    framework = frameworks.load_framework(frameworks.PLF_FRAMEWORK_ID)
    return pl.DataFrame(
        [(jurisdiction, element.code, element.name, order)
         for jurisdiction in framework.jurisdictions
         for order, element in enumerate(framework.elements, start=1)],
        schema={"jurisdiction": pl.String, "element": pl.String, "element_name": pl.String,
                "element_order": pl.Int64}, orient="row")


def rules_table() -> pl.DataFrame:
    """Return the rule catalog: each rule's id, title, severities, magnitude, source, finds."""
    return pl.DataFrame(
        [(rule.rule_id, rule.title, list(rule.severities), rule.magnitude, rule.source,
          rule.finds) for rule in catalog.rules()],
        schema={"rule_id": pl.String, "title": pl.String, "severities": pl.List(pl.String),
                "magnitude": pl.String, "source": pl.String, "finds": pl.String},
        orient="row")

