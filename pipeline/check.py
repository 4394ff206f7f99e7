"""Check: run every consistency rule into `flags`, each finding with its evidence.

A rule is its query, sql/rules/<rule_id>.sql, plus its entry in data/rules.toml (title, source,
thresholds). The query returns rows shaped as flags (snapshot_date, jurisdiction, agency_code,
position_id, classification, severity, message, evidence) and reads each threshold NAME of its
entry as getvariable('<rule_id>__NAME'). Adding a rule is its SQL file, its entry and its tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from pipeline import frameworks
from pipeline.settings import SQL_DIR, data_file, sql_text
from pipeline.warehouse import build_models, register_table

SUPPORT_MODELS = ("intermediate/int_reporting_lines.sql",)  # read by rules only: temporary
FLAG_COLUMNS = ("snapshot_date", "jurisdiction", "agency_code", "position_id", "classification",
                "rule_id", "severity", "message", "evidence")
DESCRIPTIVE_KEYS = ("title", "source")


@dataclass(frozen=True)
class Rule:
    """One consistency rule: its id, what it finds, and its thresholds."""

    rule_id: str
    title: str
    source: str | None
    parameters: dict[str, Any]

    @property
    def query(self) -> str:
        """Return the rule's SQL query."""
        return sql_text(f"rules/{self.rule_id}.sql")


def rules() -> tuple[Rule, ...]:
    """Return every rule of data/rules.toml, in file order."""
    return tuple(
        Rule(rule_id=rule_id, title=entry["title"], source=entry.get("source"),
             parameters={k: v for k, v in entry.items() if k not in DESCRIPTIVE_KEYS})
        for rule_id, entry in data_file("rules.toml").items())


def rule_files() -> set[str]:
    """Return the rule ids that have a query file under sql/rules/."""
    return {path.stem for path in (SQL_DIR / "rules").glob("*.sql")}


def set_rule_variables(connection: duckdb.DuckDBPyConnection, rule: Rule) -> None:
    """Set the DuckDB variables a rule's query reads its thresholds from."""
    for name, value in rule.parameters.items():
        connection.execute(f"set variable {rule.rule_id}__{name} = ?", [value])


def within_rank_order() -> pl.DataFrame:
    """Return data/crosswalk.toml's within_rank_order: each code's list and step (1 = lowest)."""
    crosswalk = data_file("crosswalk.toml")
    ranks = {grade["code"]: grade["rank"] for grade in crosswalk["grades"]}
    rows = []
    for group, codes in enumerate(crosswalk.get("within_rank_order", []), start=1):
        code_ranks = {ranks.get(code) for code in codes}
        if len(code_ranks) != 1 or None in code_ranks:
            raise frameworks.FrameworkError(
                f"crosswalk.toml: within_rank_order {codes} must hold graded codes of one rank")
        rows += [(code, group, step) for step, code in enumerate(codes, start=1)]
    return pl.DataFrame(rows, schema={"classification_code": pl.String,
                                      "order_group": pl.Int64, "step": pl.Int64}, orient="row")


def refresh_rule_references(connection: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the reference tables rules read: rating scale and offset rule, terms, streams."""
    scale = frameworks.rating_scale()
    register_table(connection, "ref_rating_scale", pl.DataFrame(
        {"rating": list(scale), "rating_rank": list(range(1, len(scale) + 1))}))
    offset = frameworks.behaviour_offset_rule()
    register_table(connection, "ref_behaviour_offset", pl.DataFrame(
        {"overall_may_not_exceed": [offset.overall_may_not_exceed],
         "concern_below": [offset.concern_below],
         "concern_below_rank": [scale.index(offset.concern_below) + 1]}))
    register_table(connection, "ref_within_rank_order", within_rank_order())
    register_table(connection, "ref_rationale_terms", pl.DataFrame(
        [(term, "workload") for term in frameworks.workload_terms()]
        + [(term, "work_value") for term in frameworks.work_value_terms()]
        + [(term, "scope") for term in frameworks.scope_evidence_terms()],
        schema={"term": pl.String, "kind": pl.String}, orient="row"))
    register_table(connection, "ref_band_streams", pl.DataFrame(
        [(band.code, stream) for framework in frameworks.all_frameworks()
         for band in framework.bands for stream in band.allowed_streams],
        schema={"classification_code": pl.String, "stream_code": pl.String}, orient="row"))


def run_checks(connection: duckdb.DuckDBPyConnection,
               on_rule: Callable[[str, float], None] | None = None) -> None:
    """Replace `flags` with the findings of every rule on the current warehouse (`on_rule` is
    told each rule's seconds)."""
    connection.execute(sql_text("marts/flags.sql"))
    refresh_rule_references(connection)
    build_models(connection, SUPPORT_MODELS, temporary=True)
    connection.execute("delete from flags")
    for rule in rules():
        started = time.perf_counter()
        set_rule_variables(connection, rule)
        columns = ", ".join(column if column != "rule_id" else f"'{rule.rule_id}' as rule_id"
                            for column in FLAG_COLUMNS)
        connection.execute(
            f"insert into flags by name select {columns},"
            " md5(concat_ws('|', rule_id, jurisdiction, agency_code, coalesce(position_id, ''),"
            " coalesce(classification, ''), coalesce(json_extract_string(evidence, '$.key'), '')))"
            " as flag_key"
            f" from ({rule.query}) as found")
        if on_rule:
            on_rule(rule.rule_id, time.perf_counter() - started)
    connection.execute(sql_text("marts/open_flags.sql"))
