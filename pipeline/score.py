"""Score: factor points, the band they indicate, and calibrated evidence estimates.

Reads the published Victorian ranges (data/frameworks/vic_work_value_tool.toml) and the project's
scoring assumptions (data/scoring.toml), then builds, in order: int_latest_determinations,
int_points_bands, int_position_points (every position with a determination in force, and every
executive position), position_scores (its executive positions), int_position_evidence,
evidence_calibration, factor_evidence.
The method is explained line by line in docs/scoring.md.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from pipeline import frameworks
from pipeline.settings import data_file
from pipeline.warehouse import build_models, register_table

MODELS = (
    "intermediate/int_latest_determinations.sql",
    "intermediate/int_points_bands.sql",
    "intermediate/int_position_points.sql",
    "marts/position_scores.sql",
    "intermediate/int_position_evidence.sql",
    "marts/evidence_calibration.sql",
    "marts/factor_evidence.sql",
)


def scoring_settings() -> dict[str, Any]:
    """Return data/scoring.toml."""
    return data_file("scoring.toml")


def scoring_variables() -> dict[str, float | int]:
    """Return the SQL variables the scoring models read with getvariable()."""
    settings = scoring_settings()
    calibration = settings["calibration"]
    tool = frameworks.work_value_tool()
    return {
        "borderline_points": settings["borderline"]["max_points_from_boundary"],
        "points_scale_minimum": tool.scale.minimum * len(tool.factors),
        "calibration_bins": calibration["bins"],
        "calibration_min_positions": calibration["min_positions_per_bin"],
        "calibration_lower_quantile": calibration["lower_quantile"],
        "calibration_upper_quantile": calibration["upper_quantile"],
    }


def published_bands() -> pl.DataFrame:
    """Return the published total-points range of each tier."""
    return pl.DataFrame(
        [{"tier": band.tier, "min_points": band.min_points, "max_points": band.max_points}
         for band in frameworks.work_value_tool().bands],
        schema={"tier": pl.String, "min_points": pl.Int64, "max_points": pl.Int64})


def points_tier_kinds() -> pl.DataFrame:
    """Return the tiers data/scoring.toml holds with no published range, and which kind each is."""
    points = scoring_settings()["points"]
    return pl.DataFrame(
        [(tier, kind) for kind in ("above_top_band", "below_executive") for tier in points[kind]],
        schema={"tier": pl.String, "kind": pl.String}, orient="row")


def points_jurisdictions() -> pl.DataFrame:
    """Return the jurisdictions scored on points and whether their ranges are published there."""
    points = scoring_settings()["points"]
    return pl.DataFrame(
        {"jurisdiction": points["jurisdictions"],
         "is_published_here": [code in points["published_in"] for code in points["jurisdictions"]]})


def set_variables(connection: duckdb.DuckDBPyConnection, values: dict[str, float | int]) -> None:
    """Set DuckDB session variables (read in SQL with getvariable)."""
    for name, value in values.items():
        connection.execute(f"set variable {name} = ?", [value])


def score_positions(connection: duckdb.DuckDBPyConnection) -> None:
    """Build the scoring tables from the loaded positions and determinations."""
    set_variables(connection, scoring_variables())
    register_table(connection, "ref_published_bands", published_bands())
    register_table(connection, "ref_points_tier_kinds", points_tier_kinds())
    register_table(connection, "ref_points_jurisdictions", points_jurisdictions())
    build_models(connection, MODELS)
