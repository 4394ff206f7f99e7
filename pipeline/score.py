"""Score: factor points, the band they indicate, and calibrated evidence estimates.

Builds the marts the rules read (position_scores, factor_evidence) and every model they read,
in the order pipeline.catalog derives from the SQL. The published Victorian ranges and the
project's scoring assumptions are reference tables (pipeline.reference) and parameters
(pipeline.parameters, namespace `scoring`). The method is explained in docs/scoring.md.
"""

from __future__ import annotations

import duckdb

from pipeline import catalog
from pipeline.parameters import set_parameters


def score_positions(connection: duckdb.DuckDBPyConnection) -> None:
    """Build the scoring tables from the loaded positions and determinations."""
    set_parameters(connection, catalog.rules())
    catalog.build(connection, catalog.scoring_models())
