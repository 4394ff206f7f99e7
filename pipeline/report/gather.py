"""Gather: every number a report shows, read from the warehouse into one ReportData.

An agency's report reads the agency's rows through a connection scoped to it (the dashboard's
own restriction, dashboards/scope.py: other agencies' rows are not there to be read), and the
other agencies only as combined aggregates (pipeline/report/peers.py). The commission-wide
report reads everything. The questions are the dashboard's own (dashboards/queries.py), so a
report and the dashboard never disagree. Their counts come suppressed under five as the
dashboard shows them (dashboards/queries/base.py); what this package builds itself goes through
the same function.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

from dashboards import queries, scope
from dashboards.filters import Filters
from pipeline.audit import current_user, utc_now
from pipeline.errors import WarehouseError
from pipeline.report import peers, structure
from pipeline.settings import data_file

Connection = duckdb.DuckDBPyConnection
POINT_STATISTICS = queries.POINT_STATISTICS
REQUIRED_TABLES = ("positions", "position_scores", "flags", "agency_structure",
                   "int_points_bands", "warehouse_version")
PRIVATE_EVIDENCE_KEYS = frozenset({"evaluator", "evaluators", "name", "names", "person",
                                   "employee", "occupant"})


def settings() -> dict:
    """Return the report's configurable choices (data/report.toml)."""
    return data_file("report.toml")


@dataclass(frozen=True)
class Cover:
    """Who and what the report is of, and where its numbers come from."""

    snapshot_date: str
    previous_snapshot: str | None
    publish_id: str | None
    published_at: dt.datetime | None
    made_at: dt.datetime
    made_by: str
    agency_code: str | None = None  # None: the commission-wide report
    agency_name: str | None = None
    jurisdiction: str | None = None
    jurisdiction_name: str | None = None

    @property
    def title(self) -> str:
        """Return the report's subject: "CODE: agency name" or "Every agency"."""
        return (f"{self.agency_code}: {self.agency_name}" if self.agency_code
                else "Every agency (commission-wide)")


@dataclass
class ReportData:
    """Every frame a report draws, already aggregated and suppressed where agencies compare."""

    cover: Cover
    headline: dict[str, int]
    tiers: tuple[str, ...]
    points: pl.DataFrame  # group, tier, count_positions, five-number summary (suppressed)
    jurisdiction_points: pl.DataFrame  # commission-wide only: by jurisdiction (suppressed)
    band_ranges: pl.DataFrame
    drift: pl.DataFrame
    findings: pl.DataFrame  # the listed findings, worst first, evidence as JSON text
    finding_counts: pl.DataFrame  # severity, open, justified, act
    unlisted: pl.DataFrame  # severity, rule_id, count_flags of the severities counted only
    pyramid: pl.DataFrame
    structure: pl.DataFrame  # agency_structure rows, ratios suppressed, with size_group
    size_peers: dict[str, object]  # an agency's report: its size group's combined ratio
    spans: pl.DataFrame
    structure_notes: pl.DataFrame  # span of one, stretched report: worst first (flag_list)
    changes: pl.DataFrame
    trend: pl.DataFrame
    maturity: pl.DataFrame
    maturity_year: str | None
    ratings: pl.DataFrame
    rating_cycle: str | None
    ratio_min_fte: float  # no executives-per-FTE ratio below this (data/structure.toml)
    settings: dict = field(default_factory=settings)

    @property
    def is_agency(self) -> bool:
        """Return whether this is one agency's report (else the commission-wide one)."""
        return self.cover.agency_code is not None


def check_tables(connection: Connection) -> None:
    """Raise WarehouseError naming the tables a report needs that the warehouse lacks."""
    missing = [table for table in REQUIRED_TABLES
               if table not in queries.available_tables(connection)]
    if missing:
        raise WarehouseError(f"the warehouse has no {', '.join(missing)}: run `workvalue run` "
                             "with every stage before making a report")


def cover(connection: Connection, agency: str | None, snapshot: str | None) -> Cover:
    """Return the report's cover facts; raise WarehouseError for an unknown agency or snapshot."""
    options = queries.filter_options(connection)
    chosen = snapshot or options.latest_snapshot
    if chosen is None or chosen not in options.snapshots:
        raise WarehouseError(f"the warehouse holds no snapshot {snapshot}: it holds "
                             f"{', '.join(options.snapshots) or 'none'}")
    version = connection.execute("select version_id, published_at from warehouse_version"
                                 " order by published_at desc limit 1").fetchall()
    publish_id, published_at = version[0] if version else (None, None)
    facts = Cover(snapshot_date=chosen, previous_snapshot=queries.previous_snapshot(
        connection, chosen), publish_id=publish_id, published_at=published_at,
        made_at=utc_now(), made_by=current_user())
    if agency is None:
        return facts
    known = [item for item in options.agencies if item.agency_code == agency]
    if not known:
        raise WarehouseError(f"the warehouse holds no agency {agency}")
    names = {item["code"]: item["name"]
             for item in data_file("jurisdictions.toml")["jurisdictions"]}
    jurisdiction = known[0].jurisdiction
    return replace(facts, agency_code=agency, agency_name=known[0].agency_name,
                   jurisdiction=jurisdiction,
                   jurisdiction_name=names.get(jurisdiction, jurisdiction))


def _marked(frame: pl.DataFrame) -> pl.DataFrame:
    """Return a points frame this package built through the dashboard's one suppression rule."""
    return queries.suppress_cells(frame, queries.Cells(("count_positions",),
                                                       tuple(POINT_STATISTICS)))


def agency_points(whole: Connection, scoped: Connection, facts: Cover,
                  filters: Filters) -> pl.DataFrame:
    """Return the agency's points per band beside its jurisdiction's and every other agency's.

    The agency's own come suppressed from the dashboard's query (is_chosen: drawn in red); the
    combined groups (at least 5 positions each) go through the same suppression for their flag.
    """
    own = queries.points_distribution(
        scoped, filters, "agency", f"{facts.jurisdiction} {facts.agency_code}").with_columns(
        pl.lit(f"{facts.agency_code} (this agency)").alias("group"))
    jurisdiction = peers.jurisdiction_points(
        whole, facts.snapshot_date, str(facts.jurisdiction), str(facts.agency_code),
        f"Other {facts.jurisdiction} agencies (combined)")
    everyone = queries.peer_points_distribution(
        scoped, Filters(snapshot_date=facts.snapshot_date), "All other agencies (crosswalk tier)")
    return pl.concat([own, _marked(jurisdiction), _marked(everyone)], how="diagonal_relaxed")


def findings(connection: Connection, filters: Filters, listed: list[str],
             limit: int) -> pl.DataFrame:
    """Return the listed severities' findings, worst first: severity, then flags.magnitude."""
    flags = queries.flag_list(connection, filters, tuple(listed))  # carries the magnitude
    order = {severity: rank for rank, severity in enumerate(listed)}
    return (flags.with_columns(pl.col("severity").replace_strict(order, default=99)
                               .alias("severity_rank"))
            .sort(["severity_rank", "magnitude", "rule_id", "agency_code", "position_id"],
                  descending=[False, True, False, False, False], nulls_last=True)
            .group_by("severity_rank", maintain_order=True).head(limit)
            .drop("severity_rank"))


def unlisted(connection: Connection, filters: Filters, listed: list[str]) -> pl.DataFrame:
    """Return per severity not listed (low) and rule (id and name): findings, most first."""
    others = tuple(severity for severity in queries.SEVERITIES if severity not in listed)
    flags = queries.flag_list(connection, filters, others) if others else pl.DataFrame(
        schema={"severity": pl.String, "rule_id": pl.String, "rule_name": pl.String})
    return (flags.group_by("severity", "rule_id", "rule_name")
            .agg(pl.len().alias("count_flags"))
            .sort(["count_flags", "rule_id"], descending=[True, False]))


def evidence_rows(evidence: str | None) -> list[tuple[str, str]]:
    """Return a finding's evidence as (label, value) rows: nested values flattened one level.

    Keys that could name a person (PRIVATE_EVIDENCE_KEYS) are left out.
    """
    if not evidence:
        return []
    try:
        parsed = json.loads(evidence)
    except ValueError:
        return [("evidence", evidence)]
    if not isinstance(parsed, dict):
        return [("evidence", _plain(parsed))]
    return [(key.replace("_", " "), _plain(value)) for key, value in parsed.items()
            if key.lower() not in PRIVATE_EVIDENCE_KEYS and value is not None]


def _plain(value: object) -> str:
    """Return an evidence value as plain text: lists joined, mappings as key value pairs."""
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')} {_plain(item)}" for key, item in value.items()
                         if str(key).lower() not in PRIVATE_EVIDENCE_KEYS and item is not None)
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def gather(whole: Connection, agency: str | None = None,
           snapshot: str | None = None) -> ReportData:
    """Return every number of a report: one agency's (scoped), or the commission's.

    ``whole`` is a read-only connection to the warehouse; an agency's own rows are read through
    a second connection scoped to it (dashboards/scope.py), the other agencies' only combined.
    """
    check_tables(whole)
    facts = cover(whole, agency, snapshot)
    scoped = whole.cursor()
    try:
        if agency is not None:
            scope.apply(scoped, agency)
        return _collect(whole, scoped, facts)
    finally:
        scoped.close()


def _collect(whole: Connection, scoped: Connection, facts: Cover) -> ReportData:
    """Return the report's frames, read through the scoped connection and the peer queries."""
    choices = settings()
    is_agency = facts.agency_code is not None
    filters = Filters(snapshot_date=facts.snapshot_date, jurisdiction=facts.jurisdiction,
                      agency_code=facts.agency_code)
    min_fte = queries.ratio_min_fte()
    structure_rows = structure.structure_rows(scoped, filters, choices["ratio"])
    own = structure_rows.row(0, named=True) if is_agency and structure_rows.height else {}
    own_fte, own_managers = own.get("total_fte"), own.get("count_managers")
    maturity, year = structure.maturity(whole, scoped, filters, is_agency)
    ratings, cycle = structure.ratings(whole, scoped, filters, is_agency)
    listed = choices["findings"]["listed_severities"]
    return ReportData(
        cover=facts,
        headline=queries.headline_counts(scoped, filters),
        tiers=queries.filter_options(scoped).tiers,
        points=(agency_points(whole, scoped, facts, filters) if is_agency
                else queries.points_distribution(scoped, filters)),
        jurisdiction_points=(pl.DataFrame() if is_agency else
                             queries.points_distribution(scoped, filters, "jurisdiction")),
        band_ranges=queries.band_ranges(scoped),
        drift=queries.flag_list(scoped, filters, (), ("agency_band_drift",)),
        findings=findings(scoped, filters, listed, choices["findings"]["max_listed"]),
        finding_counts=queries.flag_counts(scoped, filters),
        unlisted=unlisted(scoped, filters, listed),
        pyramid=queries.band_pyramid(scoped, filters),
        structure=structure_rows,
        size_peers=(structure.size_peers(whole, facts.snapshot_date, str(facts.jurisdiction),
                                         str(facts.agency_code), own_fte, choices["ratio"],
                                         min_fte)
                    if is_agency else {}),
        spans=(structure.agency_spans(whole, scoped, filters, own_managers) if is_agency
               else structure.commission_spans(scoped, filters)),
        structure_notes=queries.flag_list(scoped, filters, (), queries.STRUCTURE_RULES),
        changes=queries.change_summary(scoped, filters),
        trend=queries.tier_trend(scoped, Filters(jurisdiction=facts.jurisdiction,
                                                 agency_code=facts.agency_code)),
        maturity=maturity, maturity_year=year, ratings=ratings, rating_cycle=cycle,
        ratio_min_fte=min_fte, settings=choices)
