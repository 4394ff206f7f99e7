"""Parameters: every business parameter the SQL reads, set one way, each under its namespace.

A query reads NAME of a namespace as getvariable('<namespace>__NAME'): `scoring` (data/
scoring.toml), `structure` (data/structure.toml), and each rule's id (its thresholds in
data/rules.toml). set_parameters sets them all on a connection; every stage calls it first.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline import frameworks
from pipeline.catalog import Rule
from pipeline.settings import data_file

SEPARATOR = "__"


def scoring_parameters() -> dict[str, Any]:
    """Return the scoring models' parameters from data/scoring.toml."""
    settings = data_file("scoring.toml")
    calibration = settings["calibration"]
    tool = frameworks.work_value_tool()
    return {
        "borderline_points": settings["borderline"]["max_points_from_boundary"],
        "points_scale_minimum": tool.scale.minimum * len(tool.factors),
        "factor_score_minimum": tool.scale.minimum,
        "factor_score_maximum": tool.scale.maximum,
        "calibration_bins": calibration["bins"],
        "calibration_min_positions": calibration["min_positions_per_bin"],
        "calibration_lower_quantile": calibration["lower_quantile"],
        "calibration_upper_quantile": calibration["upper_quantile"],
    }


def structure_parameters() -> dict[str, Any]:
    """Return the structure marts' parameters from data/structure.toml."""
    structure = data_file("structure.toml")
    return {"span_bounds": structure["span_category_upper_bounds"],
            "assistant_title_pattern": structure["assistant_title_pattern"]}


def parameters(rules: tuple[Rule, ...]) -> dict[str, Any]:
    """Return every parameter by its variable name, <namespace>__<name>."""
    namespaces: list[tuple[str, dict[str, Any]]] = [
        ("scoring", scoring_parameters()), ("structure", structure_parameters()),
        *((rule.rule_id, rule.parameters) for rule in rules)]
    return {f"{namespace}{SEPARATOR}{name}": value
            for namespace, values in namespaces for name, value in values.items()}


def set_parameters(connection: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...]) -> None:
    """Set every parameter as a DuckDB variable of the connection."""
    for name, value in parameters(rules).items():
        connection.execute(f"set variable {name} = ?", [value])
