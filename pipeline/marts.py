"""Marts: build the tables the dashboard and exports read that the rules do not need.

Every model of sql/ that neither scoring nor the rules read (agency_summary, agency_structure
and what they read), in the order pipeline.catalog derives. Publishing the warehouse is not a
stage: it is the working copy's atomic rename (pipeline.warehouse).
"""

from __future__ import annotations

import duckdb

from pipeline import catalog
from pipeline.parameters import set_parameters


def build_marts(connection: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every remaining mart from its SQL file."""
    set_parameters(connection, catalog.rules())
    catalog.build(connection, catalog.mart_models())
