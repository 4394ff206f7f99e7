"""The SQL catalog: inputs read from the SQL, the derived build order, rule headers, the doc."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from pipeline import catalog, check, parameters, rules_doc
from pipeline.settings import PROJECT_DIR, sql_text


def test_a_query_reads_its_tables_less_its_own_ctes() -> None:
    query = ("with positions as (select * from positions),"
             " scored as (select * from positions join ref_crosswalk using (classification_code)),"
             " final as (select * from scored) select * from final")
    assert catalog.tables_read(query) == {"positions", "ref_crosswalk"}


def test_a_recursive_cte_is_not_an_input() -> None:
    query = ("with recursive walk as (select position_id from edges union all"
             " select edges.position_id from walk join edges using (position_id))"
             " select * from walk")
    assert catalog.tables_read(query) == {"edges"}


def test_every_model_is_built_after_what_it_reads() -> None:
    models = catalog.models()
    order = catalog.build_order(set(models))
    assert sorted(order) == sorted(models)
    for place, name in enumerate(order):
        upstream = {read for read in models[name].reads if read in models}
        assert upstream <= set(order[:place]), (name, upstream)


def test_the_stages_build_what_the_hand_kept_lists_built() -> None:
    assert catalog.scoring_models()[-1] == "factor_evidence"
    assert {"int_latest_determinations", "position_scores", "int_position_evidence",
            "evidence_calibration", "factor_evidence"} <= set(catalog.scoring_models())
    # reporting_cycle reads the reporting lines' layers (int_position_layers), so the check
    # stage builds them; agency_structure, a mart, reads them after it in the same run, so the
    # check stage keeps them in the warehouse and the marts stage does not build them again
    assert set(catalog.support_models()) == {"int_reporting_lines", "int_position_nodes",
                                             "int_position_jumps", "int_position_layers",
                                             "int_factor_shapes"}
    assert catalog.kept_support_models() == ["int_position_layers"]
    assert set(catalog.mart_models()) == {"agency_summary", "agency_structure"}


def test_a_header_is_read_with_its_continued_lines() -> None:
    text = ("-- rule: some_rule\n-- finds: a long meaning that\n--   runs on\n--\n"
            "-- prose: not the header\nselect 1")
    assert catalog.read_header(text) == {"rule": "some_rule",
                                         "finds": "a long meaning that runs on"}


def test_every_rule_header_is_complete() -> None:
    for rule in catalog.rules():
        assert rule.severities and rule.evidence and rule.magnitude and rule.grain, rule
        assert rule.title and rule.source and rule.finds and rule.when, rule


def test_a_severity_the_header_does_not_declare_is_refused() -> None:
    """halo_scoring gives low; a header claiming only medium makes the check stage refuse."""
    rule = next(rule for rule in catalog.rules() if rule.rule_id == "halo_scoring")
    claiming_medium = dataclasses.replace(rule, severities=("medium",))
    with duckdb.connect() as connection:
        parameters.set_parameters(connection, catalog.rules())
        connection.execute(sql_text("marts/flags.sql"))
        connection.execute(
            "create table position_scores as select date '2025-06-30' as snapshot_date,"
            " 'APS' as jurisdiction, 'DOF' as agency_code, 'P-1' as position_id,"
            " 'SES1' as classification_code, 'Director' as position_title,"
            " 'D-1' as determination_id, 'J. Doe' as evaluator, 32 as total_points,"
            " 4 as knowledge, 4 as relationships, 4 as judgement_risk, 4 as independence,"
            " 4 as strategic_change, 4 as impact, 4 as breadth, 4 as resource_management")
        check.insert_findings(connection, rule)  # as declared: accepted
        assert connection.execute("select severity, magnitude from flags").fetchall() == [
            ("low", 1.0)]
        with pytest.raises(catalog.CatalogError, match="which its header does not declare"):
            check.insert_findings(connection, claiming_medium)


def test_the_rule_table_of_docs_rules_md_is_generated() -> None:
    """Fails when docs/rules.md's table is stale: run `uv run python -m pipeline.rules_doc`."""
    document = (PROJECT_DIR / rules_doc.DOC).read_text(encoding="utf-8")
    assert rules_doc.with_table(document) == document
    assert document.count("\n| `") >= len(catalog.rules())
