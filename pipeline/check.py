"""Check: run every consistency rule into `flags`, each finding with its evidence and magnitude.

A rule is its query, sql/rules/<rule_id>.sql (opening with the header pipeline.catalog reads:
title, source, severities, magnitude, evidence keys, grain), its thresholds in data/rules.toml
and its golden fixtures in tests/rules/<rule_id>/. The query returns rows shaped as flags
(FLAG_COLUMNS less rule_id) and reads each threshold NAME as getvariable('<rule_id>__NAME').
Adding a rule is those three; nothing here changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import duckdb

from pipeline import catalog
from pipeline.parameters import set_parameters

FLAG_COLUMNS = ("snapshot_date", "jurisdiction", "agency_code", "position_id", "classification",
                "rule_id", "severity", "magnitude", "message", "evidence")
FLAG_KEY = ("md5(concat_ws('|', rule_id, jurisdiction, agency_code, coalesce(position_id, ''),"
            " coalesce(classification, ''), coalesce(json_extract_string(evidence, '$.key'),"
            " '')))")  # the one formula of a flag's stable key (docs/rules.md)


def run_checks(connection: duckdb.DuckDBPyConnection,
               on_rule: Callable[[str, float], None] | None = None) -> None:
    """Replace the rows of `flags` with the findings of every rule on the current warehouse.

    `on_rule` is told each rule's seconds. Raise catalog.CatalogError if a rule gives a
    severity its header does not declare.
    """
    rules = catalog.rules()
    set_parameters(connection, rules)
    kept = catalog.build_order(catalog.upstream(set(catalog.kept_support_models())))
    catalog.build(connection, kept)  # first, and as tables whose pages DuckDB may evict
    catalog.build(connection, [name for name in catalog.support_models() if name not in kept],
                  temporary=True)
    connection.execute("delete from flags")
    for rule in rules:
        started = time.perf_counter()
        insert_findings(connection, rule)
        if on_rule:
            on_rule(rule.rule_id, time.perf_counter() - started)


def insert_findings(connection: duckdb.DuckDBPyConnection, rule: catalog.Rule) -> None:
    """Add a rule's findings to `flags`; raise CatalogError for a severity it does not declare."""
    columns = ", ".join(column if column != "rule_id" else f"'{rule.rule_id}' as rule_id"
                        for column in FLAG_COLUMNS)
    connection.execute(f"insert into flags by name select {columns}, {FLAG_KEY} as flag_key"
                       f" from ({rule.query}) as found")
    given = {row[0] for row in connection.execute(
        "select distinct severity from flags where rule_id = ?", [rule.rule_id]).fetchall()}
    undeclared = sorted(given - set(rule.severities))
    if undeclared:
        raise catalog.CatalogError(f"sql/{rule.path} gave severity {', '.join(undeclared)},"
                                   f" which its header does not declare")
