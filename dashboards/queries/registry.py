"""The registry's types: each page declares the queries it asks, in order, and with what.

A page's query module ends with a PageQueries naming the page and its queries; the package
(dashboards/queries/__init__.py) collects them in REGISTRY. `workvalue bench` times the
registry's queries on a Visit (what a first visit to each page is shown), and a test checks
that each page asks exactly the queries its declaration names, so the list cannot go stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from dashboards.filters import Filters


@dataclass(frozen=True)
class Visit:
    """What a first visit to each page is shown: the default filters and first choices."""

    filters: Filters  # the newest snapshot, nothing else chosen
    previous: Filters | None  # the same on the snapshot before, or None
    agency: Filters  # the default filters with the agency of the most positions chosen
    flag: tuple[str, str, str, str] | None  # a flagged position: snapshot, jurisdiction, ...
    year: str | None  # the newest maturity assessment year
    cycle: str | None  # the newest performance cycle
    search: str | None = None  # what a visitor types in the position search (the flag's id)

    @property
    def snapshot(self) -> str | None:
        """Return the chosen snapshot (ISO date)."""
        return self.filters.snapshot_date

    @property
    def flag_position(self) -> tuple[str, str, str] | None:
        """Return the flagged position's jurisdiction, agency and id (no snapshot), or None."""
        return self.flag[1:] if self.flag else None


@dataclass(frozen=True)
class Given:
    """A fixed argument a page passes to a query (not one of the visit's choices)."""

    value: Any


EXPANDED = frozenset({"flag", "flag_position"})  # Visit fields passed as several arguments


@dataclass(frozen=True)
class PageQuery:
    """One query a page asks: a label, the function, and its arguments after the connection.

    Each argument is a Visit field's name (``"flag"`` and ``"flag_position"`` expand to their
    parts) or a Given value.
    """

    label: str
    query: Callable[..., Any]
    arguments: tuple[str | Given, ...] = ()

    def run(self, connection: duckdb.DuckDBPyConnection, visit: Visit) -> Any:
        """Return the query's result on the visit's choices (None when a choice is missing)."""
        values: list[Any] = []
        for argument in self.arguments:
            if isinstance(argument, Given):
                values.append(argument.value)
                continue
            value = getattr(visit, argument)
            if value is None:
                return None
            values.extend(value if argument in EXPANDED else [value])
        return self.query(connection, *values)


@dataclass(frozen=True)
class PageQueries:
    """A page (or a part of it a visitor opens) and the queries it asks, in order."""

    page: str  # the page's URL path (app.PAGES), "" for what every page asks
    title: str
    queries: tuple[PageQuery, ...]
