"""Shared helpers of the dashboard's queries: filters as SQL, frames, small-cell suppression.

Every value that comes from a user (a filter, a position id, a page's own selection) reaches SQL
as a named parameter; the only text put into SQL is column names from fixed tables.

Small cells: a query whose result compares agencies, or shows one agency's counts, declares its
count columns with ``@small_cells``; its result then comes back with counts from 1 to 4 blanked
(and what is derived from them), through ``suppress_cells``, the one function that does it. The
undecorated function stays reachable as ``query.__wrapped__`` (tests read the raw numbers).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import duckdb
import polars as pl

from dashboards.filters import UNKNOWN_STREAM, Agency, FilterOptions, Filters
from dashboards.scope import SCOPE_TABLE
from pipeline.duck import has_column, table_names
from pipeline.privacy import SMALL_COUNT_THRESHOLD, SUPPRESSED_FLAG, suppress_small_counts

Connection = duckdb.DuckDBPyConnection
Parameters = dict[str, Any]
Query = TypeVar("Query", bound=Callable[..., Any])

__all__ = ["has_column"]

FILTER_CASTS = {"snapshot_date": "::date"}


@dataclass(frozen=True)
class Cells:
    """Count columns to suppress under five, and the columns derived from them."""

    counts: tuple[str, ...]
    derived: tuple[str, ...] = ()


def suppress_cells(frame: pl.DataFrame, *cells: Cells) -> pl.DataFrame:
    """Return the frame with each Cells' small counts and their derived values blanked.

    Adds ``is_suppressed`` (pipeline.privacy.SUPPRESSED_FLAG): whether the row lost a value.
    """
    flagged = frame.with_columns(pl.lit(False).alias(SUPPRESSED_FLAG))
    for group in cells:
        lost = flagged[SUPPRESSED_FLAG]
        flagged = suppress_small_counts(flagged.drop(SUPPRESSED_FLAG), group.counts,
                                        SMALL_COUNT_THRESHOLD, derived_columns=group.derived)
        flagged = flagged.with_columns(pl.col(SUPPRESSED_FLAG) | lost)
    return flagged


def is_scoped(connection: Connection) -> bool:
    """Return whether the connection is scoped to one agency (dashboards/scope.py)."""
    return bool(connection.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = ?",
        [SCOPE_TABLE]).fetchall()[0][0])


def shows_one_agency(connection: Connection, arguments: tuple[Any, ...]) -> bool:
    """Return whether a query's selection is one agency: an agency filter, or a scope."""
    chosen = any(isinstance(value, Filters) and value.agency_code is not None
                 for value in arguments)
    return chosen or is_scoped(connection)


def small_cells(*cells: Cells, compares_agencies: bool = True) -> Callable[[Query], Query]:
    """Return a decorator that suppresses a query's small counts (see the module docstring).

    ``compares_agencies``: the result has a row per agency, so it is always suppressed; False:
    the result is the selection's, suppressed when the selection is one agency.
    """
    def decorate(query: Query) -> Query:
        @functools.wraps(query)
        def suppressed(connection: Connection, *arguments: Any) -> pl.DataFrame:
            result = query(connection, *arguments)
            if compares_agencies or shows_one_agency(connection, arguments):
                return suppress_cells(result, *cells)
            return result.with_columns(pl.lit(False).alias(SUPPRESSED_FLAG))
        return suppressed  # type: ignore[return-value]
    return decorate


def where(filters: Filters, alias: str | None = None, *,
          skip: tuple[str, ...] = ()) -> tuple[str, Parameters]:
    """Return a SQL condition for the filters that are set, and its named parameters.

    ``alias`` qualifies the columns; ``skip`` names Filters fields this query does not apply.
    """
    conditions, parameters = ["true"], {}
    for field in fields(filters):
        value = getattr(filters, field.name)
        if value is None or field.name in skip:
            continue
        column = f"{alias}.{field.name}" if alias else field.name
        if field.name == "stream_code" and value == UNKNOWN_STREAM:
            conditions.append(f"{column} is null")
            continue
        conditions.append(f"{column} = ${field.name}{FILTER_CASTS.get(field.name, '')}")
        parameters[field.name] = value
    return " and ".join(conditions), parameters


def frame(connection: Connection, sql: str, parameters: Parameters | None = None) -> pl.DataFrame:
    """Return a query's rows as a polars frame."""
    return connection.sql(sql, params=parameters or {}).pl()


def position_key(snapshot_date: str, jurisdiction: str, agency_code: str,
                 position_id: str) -> Parameters:
    """Return the parameters $snapshot, $jurisdiction, $agency and $position of one position."""
    return {"snapshot": snapshot_date, "jurisdiction": jurisdiction, "agency": agency_code,
            "position": position_id}


def first_row(result: pl.DataFrame) -> dict[str, Any]:
    """Return a result's first row by column name, or {} when it has none."""
    return result.row(0, named=True) if result.height else {}


def available_tables(connection: Connection) -> frozenset[str]:
    """Return the names of the warehouse's tables and views."""
    return frozenset(table_names(connection))


def filter_options(connection: Connection) -> FilterOptions:
    """Return every value the filters can take: snapshots newest first, tiers senior first."""
    snapshots = connection.execute(
        "select distinct strftime(snapshot_date, '%Y-%m-%d') from positions"
        " where snapshot_date is not null order by 1 desc").fetchall()
    agencies = connection.execute(
        "select jurisdiction, agency_code, any_value(agency_name order by snapshot_date desc)"
        " from positions group by all order by jurisdiction, agency_code").fetchall()
    streams = connection.execute(
        "select distinct coalesce(stream_code, ?) from positions where is_executive"
        " order by 1", [UNKNOWN_STREAM]).fetchall()
    tiers = connection.execute(
        "select tier from positions where is_executive and tier is not null"
        " group by tier order by max(grade_rank) desc").fetchall()
    return FilterOptions(
        snapshots=tuple(row[0] for row in snapshots),
        jurisdictions=tuple(dict.fromkeys(row[0] for row in agencies)),
        agencies=tuple(Agency(*row) for row in agencies),
        streams=tuple(row[0] for row in streams),
        tiers=tuple(row[0] for row in tiers),
    )


def previous_snapshot(connection: Connection, snapshot_date: str | None) -> str | None:
    """Return the snapshot just before the given one (ISO date), or None if it is the first."""
    if snapshot_date is None:
        return None
    rows = connection.execute(
        "select strftime(max(snapshot_date), '%Y-%m-%d') from positions"
        " where snapshot_date < $snapshot::date", {"snapshot": snapshot_date}).fetchall()
    return rows[0][0] if rows else None
