"""Structure and performance: the SES structure and performance framework sections' numbers.

Ratios, spans and layers come from the agency_structure mart (as the dashboard reads it);
executives per 1,000 FTE is not shown for an agency under the size threshold the dashboard
uses too (ratio_min_fte in data/structure.toml: the dashboard's agency_structure query leaves
the ratio out), and is compared with agencies of a similar size (data/report.toml) only.
Counts come suppressed under five from the dashboard's queries, as the dashboard shows them.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboards import queries
from dashboards.filters import Filters
from pipeline.privacy import SUPPRESSED_FLAG
from pipeline.report import peers

Connection = duckdb.DuckDBPyConnection
SizeGroup = tuple[str, float, float | None]  # label, lowest FTE, FTE below (None: open)


def size_groups(bounds: list[float]) -> list[SizeGroup]:
    """Return the size groups of data/report.toml's upper bounds, smallest first."""
    edges = [0.0, *bounds]
    groups: list[SizeGroup] = []
    for lower, upper in zip(edges, [*bounds, None], strict=True):
        if upper is None:
            label = f"{lower:,.0f} FTE and over"
        elif lower == 0:
            label = f"under {upper:,.0f} FTE"
        else:
            label = f"{lower:,.0f} to {upper - 1:,.0f} FTE"
        groups.append((label, lower, upper))
    return groups


def size_group_of(total_fte: float | None, bounds: list[float]) -> SizeGroup:
    """Return the size group an agency's FTE falls in (the largest when it is unknown)."""
    groups = size_groups(bounds)
    for group in groups:
        if total_fte is not None and group[2] is not None and total_fte < group[2]:
            return group
    return groups[-1]


def structure_rows(connection: Connection, filters: Filters, ratio: dict) -> pl.DataFrame:
    """Return agency_structure's rows as the dashboard shows them, each with its size group.

    Suppressed, and with no ratio under the size threshold, by the dashboard's query.
    """
    rows = queries.agency_structure(connection, filters)
    labels = [size_group_of(fte, ratio["size_upper_bounds"])[0] for fte in rows["total_fte"]]
    return rows.with_columns(pl.Series("size_group", labels, dtype=pl.String))


def size_peers(whole: Connection, snapshot: str, jurisdiction: str, agency: str,
               total_fte: float | None, ratio: dict, min_fte: float) -> dict[str, object]:
    """Return the agency's size group and its other agencies' combined ratio (peers.py)."""
    label, lower, upper = size_group_of(total_fte, ratio["size_upper_bounds"])
    combined = peers.size_peer_ratio(whole, snapshot, jurisdiction, agency, (lower, upper),
                                     min_fte)
    return {"size_group": label, **combined}


def agency_spans(whole: Connection, scoped: Connection, filters: Filters,
                 managers: int | None) -> pl.DataFrame:
    """Return the agency's managers per span category beside every other agency's, combined.

    Counts come suppressed from the dashboard's query; a share is of all ``managers`` and is
    blanked with its count.
    """
    own = queries.span_of_control(scoped, filters).select(
        "span_category", "count_managers", SUPPRESSED_FLAG)
    own = own.with_columns((pl.col("count_managers") / managers if managers else pl.lit(None))
                           .alias("share"))
    combined = peers.span_shares(whole, str(filters.snapshot_date), str(filters.jurisdiction),
                                 str(filters.agency_code), queries.SPAN_CATEGORIES)
    return own.join(combined, on="span_category", how="left", maintain_order="left")


def commission_spans(connection: Connection, filters: Filters) -> pl.DataFrame:
    """Return per agency and span category the managers (suppressed as on the dashboard)."""
    return queries.span_of_control(connection, filters)


def maturity(whole: Connection, scoped: Connection, filters: Filters,
             is_agency: bool) -> tuple[pl.DataFrame, str | None]:
    """Return the newest year's maturity by element (an agency's: beside its peers), and the year.

    An agency's rows: element, maturity_level, peer_level, peer_agencies; the commission's:
    jurisdiction, agency_code, element, maturity_level (the heatmap's input).
    """
    years = queries.maturity_years(scoped)
    if not years:
        return pl.DataFrame(), None
    matrix = queries.maturity_matrix(scoped, Filters(jurisdiction=filters.jurisdiction,
                                                     agency_code=filters.agency_code), years[0])
    if not is_agency:
        return matrix, years[0]
    levels = peers.maturity_levels(whole, years[0], str(filters.jurisdiction),
                                   str(filters.agency_code))
    return (matrix.select("element", "maturity_level")
            .join(levels, on="element", how="left", maintain_order="left"), years[0])


def ratings(whole: Connection, scoped: Connection, filters: Filters,
            is_agency: bool) -> tuple[pl.DataFrame, str | None]:
    """Return the newest cycle's SES ratings per dimension and rating (suppressed), and the cycle.

    An agency's overall ratings carry the share of its jurisdiction's other agencies beside.
    """
    cycles = queries.rating_cycles(scoped)
    if not cycles:
        return pl.DataFrame(), None
    selection = Filters(jurisdiction=filters.jurisdiction, agency_code=filters.agency_code)
    counts = queries.rating_distribution(scoped, selection, cycles[0])
    if not is_agency:
        return counts, cycles[0]
    shares = peers.rating_shares(whole, cycles[0], str(filters.jurisdiction),
                                 str(filters.agency_code))
    overall = pl.lit("overall_rating")
    return (counts.join(shares.with_columns(overall.alias("dimension")),
                        on=["dimension", "rating"], how="left", maintain_order="left"),
            cycles[0])
