"""Dashboard queries against the fixture warehouse (tests/dashboard): every number by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import duckdb
import polars as pl
import pytest
from dashboard.build import build_warehouse, copy_warehouse, settings_with_ratio_min_fte

from dashboards import queries
from dashboards.context import WarehouseReader
from dashboards.filters import Filters
from pipeline.review import Decision, record_review
from pipeline.settings import DATA_DIR_ENV

LATEST = Filters(snapshot_date="2025-06-30")
EARLIER = Filters(snapshot_date="2024-06-30")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the fixture warehouse, built once for the module."""
    return build_warehouse(tmp_path_factory.mktemp("dashboard") / "fixture.duckdb")


@pytest.fixture
def connection(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Return a read-only connection to the fixture warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as opened:
        yield opened


def raw(query: Callable[..., Any]) -> Callable[..., Any]:
    """Return a query without its small-cell suppression (the numbers as computed)."""
    return cast(Callable[..., Any], query.__wrapped__)


def column(frame: pl.DataFrame, name: str) -> list[object]:
    """Return a frame's column as a list."""
    return frame[name].to_list()


# ---- helpers and options -------------------------------------------------------------------

def test_where_parameterises_every_value_and_skips_what_it_is_told() -> None:
    condition, parameters = queries.where(
        Filters("2025-06-30", "APS", "DEPA", "policy", "SES1"), "p", skip=("tier",))
    assert condition == ("true and p.snapshot_date = $snapshot_date::date and p.jurisdiction ="
                         " $jurisdiction and p.agency_code = $agency_code and p.stream_code ="
                         " $stream_code")
    assert parameters == {"snapshot_date": "2025-06-30", "jurisdiction": "APS",
                          "agency_code": "DEPA", "stream_code": "policy"}


def test_where_reads_the_unknown_stream_as_no_stream() -> None:
    condition, parameters = queries.where(Filters(stream_code="unknown"))
    assert condition == "true and stream_code is null"
    assert parameters == {}


def test_a_value_crafted_as_sql_is_only_a_value(connection: duckdb.DuckDBPyConnection) -> None:
    crafted = Filters(snapshot_date="2025-06-30", agency_code="DEPA' or '1'='1")
    assert queries.headline_counts(connection, crafted)["positions"] == 0
    assert queries.flag_list(connection, crafted).is_empty()


def test_filter_options_list_what_the_warehouse_holds(
        connection: duckdb.DuckDBPyConnection) -> None:
    options = queries.filter_options(connection)
    assert options.snapshots == ("2025-06-30", "2024-06-30")
    assert options.jurisdictions == ("APS", "VPS")
    assert [(a.jurisdiction, a.agency_code, a.agency_name) for a in options.agencies] == [
        ("APS", "DEPA", "Department of Alpha"), ("APS", "DEPB", "Bureau of Beta"),
        ("VPS", "VDOG", "Department of Gamma")]
    assert options.streams == ("delivery", "policy", "portfolio_program",
                               "professional_specialist", "regulatory", "unknown")
    assert options.tiers == ("HEAD", "SES3", "SES2", "SES1")


def test_previous_snapshot(connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.previous_snapshot(connection, "2025-06-30") == "2024-06-30"
    assert queries.previous_snapshot(connection, "2024-06-30") is None
    assert queries.previous_snapshot(connection, None) is None


def test_available_tables_and_columns(connection: duckdb.DuckDBPyConnection) -> None:
    tables = queries.available_tables(connection)
    assert {"positions", "flags", "flag_reviews", "position_scores"} <= tables
    assert queries.has_column(connection, "flags", "flag_key")
    assert not queries.has_column(connection, "flags", "no_such_column")


# ---- overview ------------------------------------------------------------------------------

def test_headline_counts_of_the_latest_snapshot(connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.headline_counts(connection, LATEST) == {
        "positions": 36, "executives": 22, "agencies": 3, "executive_vacancies": 2,
        "executive_acting": 1, "unmapped_classifications": 1}


@pytest.mark.parametrize(("filters", "positions", "executives"), [
    (EARLIER, 35, 21),
    (Filters("2025-06-30", agency_code="DEPA"), 17, 10),
    (Filters("2025-06-30", jurisdiction="VPS"), 11, 7),
    (Filters("2025-06-30", tier="SES1"), 10, 10),
    (Filters("2025-06-30", stream_code="policy"), 6, 6),
    (Filters("2025-06-30", stream_code="unknown", tier="HEAD"), 3, 3),
])
def test_headline_counts_follow_the_filters(connection: duckdb.DuckDBPyConnection,
                                            filters: Filters, positions: int,
                                            executives: int) -> None:
    counts = queries.headline_counts(connection, filters)
    assert (counts["positions"], counts["executives"]) == (positions, executives)


def test_changes_since_the_previous_snapshot(connection: duckdb.DuckDBPyConnection) -> None:
    changes = queries.changes_since_previous(connection, LATEST)
    assert changes.select("change", "position_id", "before", "after").rows() == [
        ("added", "P034", None, "SES1"),
        ("added", "P035", None, "SES2"),
        ("became vacant", "P031", "occupied", "vacant"),
        ("reclassified", "G031", "SES1", "SES2"),
        ("removed", "B023", "SES1", None),
    ]
    summary = queries.change_summary(connection, LATEST)
    assert dict(summary.rows()) == {"added": 2, "became vacant": 1, "reclassified": 1,
                                    "removed": 1}


def test_changes_match_a_band_held_in_either_snapshot(
        connection: duckdb.DuckDBPyConnection) -> None:
    changes = queries.changes_since_previous(connection, Filters("2025-06-30", tier="SES2"))
    assert column(changes, "position_id") == ["P035", "G031"]
    first = queries.changes_since_previous(connection, EARLIER)
    assert first.is_empty()


def test_data_quality_at_a_glance(connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.data_quality_glance(connection) == {
        "files": 5, "rows_read": 124, "rows_loaded": 122, "rows_quarantined": 2,
        "unmapped_spellings": 1, "executives_without_stream": 6}


# ---- flags and reviews ---------------------------------------------------------------------

def test_flag_list_worst_first_with_review_status(
        connection: duckdb.DuckDBPyConnection) -> None:
    flags = queries.flag_list(connection, LATEST)
    # by severity, then magnitude (largest first, none last: tests/dashboard/findings.sql)
    assert flags.select("severity", "rule_id", "position_id", "magnitude", "status").rows() == [
        ("high", "hierarchy_inversion", "P035", 8.0, "open"),
        ("high", "band_points_mismatch", "P035", 6.0, "open"),
        ("medium", "determination_mismatch", "G031", 3.0, "open"),
        ("medium", "agency_band_drift", None, 2.0, "open"),
        ("medium", "missing_determination", "B022", None, "open"),
        ("low", "resource_evidence_mismatch", "P033", 2.0, "justified"),
    ]
    justified = flags.row(5, named=True)
    assert justified["review_note"].startswith("A specialist legal role")
    assert justified["position_title"] == '=HYPERLINK("http://example.invalid","Legal")'
    assert "reviewer" not in flags.columns


def test_position_search_finds_flagged_and_unflagged_positions(
        connection: duckdb.DuckDBPyConnection) -> None:
    found = queries.position_search(connection, LATEST, "  p03 ")
    assert found.select("position_id", "count_flags", "top_flag").rows() == [
        ("P035", 2, "f-p035-inversion"), ("P033", 1, "f-p033-resource"),
        ("P030", 0, None), ("P031", 0, None), ("P032", 0, None), ("P034", 0, None)]
    by_title = queries.position_search(connection, LATEST, "CHIEF ECONOMIST")
    assert by_title["position_id"].to_list() == ["P035"]
    assert queries.position_search(connection, LATEST, "").is_empty()
    assert queries.position_search(connection, Filters("2025-06-30", agency_code="DEPB"),
                                   "P035").is_empty()
    for crafted in ("' or '1'='1", "%", "_", "'; drop table positions; --"):  # only text
        assert queries.position_search(connection, LATEST, crafted).is_empty(), crafted


@pytest.mark.parametrize(("filters", "narrowing", "keys"), [
    (LATEST, ((), (), ("open",)), ["f-p035-inversion", "f-p035-points", "f-g031-determination",
                                   "f-depa-drift", "f-b022-missing"]),
    (LATEST, (("high",), (), ()), ["f-p035-inversion", "f-p035-points"]),
    (LATEST, ((), ("missing_determination",), ()), ["f-b022-missing"]),
    (Filters("2025-06-30", tier="SES2"), ((), (), ()),
     ["f-p035-inversion", "f-p035-points", "f-g031-determination"]),
    (Filters("2025-06-30", stream_code="policy"), ((), (), ()),
     ["f-p035-inversion", "f-p035-points", "f-g031-determination"]),
    (Filters("2025-06-30", tier="SES1", agency_code="DEPA"), ((), (), ()),
     ["f-depa-drift", "f-p033-resource"]),
    (EARLIER, ((), (), ()), ["f-b022-missing"]),
])
def test_flag_list_follows_filters_and_narrowing(
        connection: duckdb.DuckDBPyConnection, filters: Filters,
        narrowing: tuple[tuple[str, ...], ...], keys: list[str]) -> None:
    assert column(queries.flag_list(connection, filters, *narrowing), "flag_key") == keys


def test_flag_counts_by_severity_and_status(connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.flag_counts(connection, LATEST).rows() == [
        ("high", 2, 0, 0), ("medium", 3, 0, 0), ("low", 0, 1, 0)]
    assert queries.flag_rule_names(connection, EARLIER) == {
        "missing_determination": "Executive position with no determination"}  # its header


def test_a_recorded_review_changes_the_status_in_every_snapshot(warehouse: Path,
                                                                tmp_path: Path) -> None:
    copy = copy_warehouse(warehouse, tmp_path / "copy.duckdb")
    reader = WarehouseReader.open(copy)
    reader.write(lambda writable: record_review(
        writable, "f-b022-missing", Decision.ACT, "Ask DEPB for the determination.", "R02",
        dt.datetime(2025, 8, 2, 10, 0)))
    with duckdb.connect(str(copy), read_only=True) as opened:
        for filters in (LATEST, EARLIER):
            flags = queries.flag_list(opened, filters, (), ("missing_determination",))
            assert flags.select("status", "review_note").row(0) == (
                "act", "Ask DEPB for the determination.")
        assert queries.flag_counts(opened, LATEST).row(1) == ("medium", 2, 0, 1)


def test_flags_without_a_key_get_one_derived(warehouse: Path, tmp_path: Path) -> None:
    copy = copy_warehouse(warehouse, tmp_path / "keyless.duckdb")
    with duckdb.connect(str(copy)) as writable:
        writable.execute("alter table flags drop column flag_key")
        writable.execute("drop table flag_reviews")
    with duckdb.connect(str(copy), read_only=True) as opened:
        flags = queries.flag_list(opened, LATEST)
    assert flags.height == 6
    assert flags["flag_key"].str.len_chars().to_list() == [32] * 6
    assert flags["flag_key"].n_unique() == 6
    assert set(column(flags, "status")) == {"open"}


# ---- one position ----------------------------------------------------------------------------

POSITION = ("2025-06-30", "APS", "DEPA", "P035")


def test_position_detail(connection: duckdb.DuckDBPyConnection) -> None:
    detail = queries.position_detail(connection, *POSITION)
    assert (detail["position_title"], detail["tier"], detail["stream_code"],
            detail["reports_to_position_id"], detail["direct_reports"]) == (
        "Chief Economist", "SES2", "policy", "P030", 0)
    manager = queries.position_detail(connection, "2025-06-30", "APS", "DEPA", "P020")
    assert manager["direct_reports"] == 3
    assert queries.position_detail(connection, "2025-06-30", "APS", "DEPA", "NOPE") == {}


def test_position_score(connection: duckdb.DuckDBPyConnection) -> None:
    score = queries.position_score(connection, *POSITION)
    assert (score["total_points"], score["held_min_points"], score["held_max_points"],
            score["indicated_tier"], score["determination_id"]) == (30, 36, 47, "SES1", "D-A035")


def test_factor_profile_against_band_and_stream_peers(
        connection: duckdb.DuckDBPyConnection) -> None:
    profile = queries.factor_profile(connection, *POSITION)
    assert profile.height == 24
    knowledge = {row[1]: (row[2], row[3]) for row in profile.filter(
        pl.col("factor") == "knowledge").rows()}
    # peers: SES2 P020, P021, B010, G020, G021, G031; of the policy stream P021, G020, G031
    assert knowledge == {"this position": (4.0, 1), "band peers": (5.0, 6),
                         "band and stream peers": (5.0, 3)}
    assert column(profile, "factor")[::3] == list(queries.FACTOR_COLUMNS)


def test_reporting_chain_top_first(connection: duckdb.DuckDBPyConnection) -> None:
    chain = queries.reporting_chain(connection, *POSITION)
    assert chain.select("level", "position_id").rows() == [
        (4, "P001"), (3, "P010"), (2, "P020"), (1, "P030"), (0, "P035")]


def test_reporting_chain_stops_at_a_loop() -> None:
    with duckdb.connect() as memory:
        memory.execute("""
            create table positions as select * from (values
                (date '2025-06-30', 'APS', 'X', 'A', 'B', 'a', 'SES1', 'SES1', 'occupied'),
                (date '2025-06-30', 'APS', 'X', 'B', 'C', 'b', 'SES1', 'SES1', 'occupied'),
                (date '2025-06-30', 'APS', 'X', 'C', 'A', 'c', 'SES1', 'SES1', 'occupied'))
            as t(snapshot_date, jurisdiction, agency_code, position_id,
                 reports_to_position_id, position_title, classification_code, tier, occupancy)
        """)
        chain = queries.reporting_chain(memory, "2025-06-30", "APS", "X", "A")
    assert chain.select("level", "position_id").rows() == [(2, "C"), (1, "B"), (0, "A")]


def test_determination_history_latest_first_without_evaluator(
        connection: duckdb.DuckDBPyConnection) -> None:
    history = queries.determination_history(connection, "APS", "DEPA", "P021")
    assert history.select("determination_id", "decision_date", "determined_tier",
                          "total_points").rows() == [
        ("D-A021b", "2024-09-01", "SES2", 38), ("D-A021a", "2022-05-01", "SES1", 26)]
    assert "evaluator" not in history.columns


def test_factor_evidence_of_a_position(connection: duckdb.DuckDBPyConnection) -> None:
    evidence = queries.factor_evidence(connection, "2025-06-30", "APS", "DEPA", "P033")
    assert column(evidence, "factor") == ["breadth", "independence", "resource_management"]
    assert column(evidence, "score") == [3, 4, 5]


# ---- bands, comparability, structure -------------------------------------------------------

def test_band_mix_by_stream_and_for_all_streams(connection: duckdb.DuckDBPyConnection) -> None:
    mix = queries.band_mix(connection, LATEST)
    shares = {(row[0], row[1]): (row[2], round(row[3], 4)) for row in mix.rows()}
    assert shares[("all streams", "SES1")] == (10, round(10 / 22, 4))
    assert shares[("delivery", "SES1")] == (5, round(5 / 7, 4))
    assert shares[("unknown", "HEAD")] == (3, 1.0)
    assert column(mix, "stream_code")[:4] == ["all streams"] * 4
    # the stream and band filters are not applied: the page compares them
    assert queries.band_mix(connection, Filters("2025-06-30", stream_code="policy",
                                                tier="SES1")).equals(mix)


def test_band_mix_by_agency(connection: duckdb.DuckDBPyConnection) -> None:
    by_agency = raw(queries.band_mix_by_agency)(connection, LATEST)
    depa = by_agency.filter(pl.col("agency_code") == "DEPA")
    assert depa.select("tier", "count_positions", "share").rows() == [
        ("HEAD", 1, 0.1), ("SES3", 1, 0.1), ("SES2", 3, 0.3), ("SES1", 5, 0.5)]
    # what the query returns: agencies are compared, so the counts under 5 and their shares
    # are blanked, and the rows say so
    shown = queries.band_mix_by_agency(connection, LATEST).filter(pl.col("agency_code") == "DEPA")
    assert shown.select("tier", "count_positions", "share", "is_suppressed").rows() == [
        ("HEAD", None, None, True), ("SES3", None, None, True), ("SES2", None, None, True),
        ("SES1", 5, 0.5, False)]


def test_one_agencys_band_mix_is_suppressed_but_the_services_is_not(
        connection: duckdb.DuckDBPyConnection) -> None:
    # issue 19: the first table of bands?agency=X showed the agency's counts of 1 and 3
    depa = queries.band_mix(connection, Filters("2025-06-30", agency_code="DEPA"))
    counts = dict(depa.filter(pl.col("stream_code") == "all streams").select(
        "tier", "count_positions").rows())
    assert counts == {"HEAD": None, "SES3": None, "SES2": None, "SES1": 5}
    service = queries.band_mix(connection, LATEST)
    assert not service["is_suppressed"].any()
    assert service.drop("is_suppressed").equals(raw(queries.band_mix)(connection, LATEST))


def test_points_distribution_by_agency_and_jurisdiction(
        connection: duckdb.DuckDBPyConnection) -> None:
    by_agency = queries.points_distribution(connection, LATEST, "agency")
    depa_ses1 = by_agency.filter((pl.col("group") == "APS DEPA") & (pl.col("tier") == "SES1"))
    # DEPA SES1 points: P030 27, P031 24, P032 27, P033 31, P034 22
    assert depa_ses1.select("count_positions", "min_points", "median_points",
                            "max_points").row(0) == (5, 22.0, 27.0, 31.0)
    by_jurisdiction = raw(queries.points_distribution)(connection, LATEST, "jurisdiction")
    aps_ses2 = by_jurisdiction.filter((pl.col("group") == "APS") & (pl.col("tier") == "SES2"))
    assert aps_ses2.select("count_positions", "min_points", "max_points").row(0) == (
        4, 30.0, 40.0)
    shown = queries.points_distribution(connection, LATEST, "jurisdiction").filter(
        (pl.col("group") == "APS") & (pl.col("tier") == "SES2"))
    assert shown.select("count_positions", *queries.POINT_STATISTICS).row(0) == (None,) * 6
    with pytest.raises(KeyError):
        queries.points_distribution(connection, LATEST, "evaluator")


def test_small_agencies_are_combined_where_enough_stand_behind_them(
        connection: duckdb.DuckDBPyConnection) -> None:
    combined = queries.points_distribution(connection, LATEST)
    # SES2: DEPA 3, DEPB 1, VDOG 3 positions, each under 5: combined, 7 positions of 3 agencies
    # (G031 24, P035 30, P021 38, P020 40, B010 40, G020 40, G021 41), lowest and highest left
    # out; SES1: DEPA's 5 stand alone, DEPB's 2 and VDOG's 2 are too few to combine (4 of 2
    # agencies); HEAD and SES3 (1 position per agency) likewise: not drawn
    assert combined.select("group", "tier", "count_positions", *queries.POINT_STATISTICS,
                           "is_chosen").rows() == [
        ("Smaller agencies (combined)", "SES2", 7, None, 34.0, 40.0, 40.0, None, False),
        ("APS DEPA", "SES1", 5, 22.0, 24.0, 27.0, 27.0, 31.0, False)]
    chosen = queries.points_distribution(connection, LATEST, "agency", "APS DEPA")
    # the chosen agency is never combined: its bands of fewer than 5 come back suppressed, and
    # the others' SES2 (DEPB 1, VDOG 3) is too few to combine
    assert chosen.select("group", "tier", "count_positions", "is_chosen",
                         "is_suppressed").rows() == [
        ("APS DEPA", "HEAD", None, True, True), ("APS DEPA", "SES3", None, True, True),
        ("APS DEPA", "SES2", None, True, True), ("APS DEPA", "SES1", 5, True, False)]


def test_band_ranges(connection: duckdb.DuckDBPyConnection) -> None:
    ranges = {row[0]: row[1:3] for row in queries.band_ranges(connection).rows()}
    assert ranges["SES1"] == (21, 35)
    assert ranges["SES2"] == (36, 47)
    assert ranges["SES3"] == (48, 56)


def test_agency_structure_and_spans(connection: duckdb.DuckDBPyConnection) -> None:
    structure = raw(queries.agency_structure)(connection, LATEST)
    assert column(structure, "agency_code") == ["DEPA", "DEPB", "VDOG"]
    assert column(structure, "count_executives") == [10, 5, 7]
    # every fixture agency is under data/structure.toml's 100 FTE (17, 8 and 11): no ratio
    assert column(structure, "total_fte") == [17.0, 8.0, 11.0]
    assert column(structure, "executives_per_1000_fte") == [None, None, None]
    assert column(structure, "is_below_min_fte") == [True, True, True]
    shown = queries.agency_structure(connection, LATEST)
    # vacancies of 1 to 4 are blanked
    assert column(shown, "count_vacant_executives") == [
        None if 0 < count < 5 else count for count in column(structure,
                                                             "count_vacant_executives")]
    spans = raw(queries.span_of_control)(connection, LATEST)
    assert column(spans, "span_category")[:6] == list(queries.SPAN_CATEGORIES.values())
    per_agency = spans.group_by("agency_code").agg(pl.col("count_managers").sum()).sort(
        "agency_code")
    assert column(per_agency, "count_managers") == column(structure, "count_managers")


def test_the_ratio_follows_the_shared_size_threshold(
        connection: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(settings_with_ratio_min_fte(tmp_path / "data", 10)))
    assert queries.ratio_min_fte() == 10.0
    shown = queries.agency_structure(connection, LATEST)
    # DEPA 10 executives of 17 FTE, VDOG 7 of 11; DEPB's 8 FTE are under 10: left out for size
    assert column(shown, "executives_per_1000_fte") == [588.2, None, 636.4]
    assert column(shown, "is_below_min_fte") == [False, True, False]
    assert not shown.filter(pl.col("agency_code") == "DEPB")["is_suppressed"].item()


def test_band_pyramid(connection: duckdb.DuckDBPyConnection) -> None:
    pyramid = queries.band_pyramid(connection, LATEST)
    assert pyramid.select("tier", "occupancy", "count_positions").rows() == [
        ("HEAD", "occupied", 3), ("SES3", "occupied", 2), ("SES2", "acting", 1),
        ("SES2", "occupied", 6), ("SES1", "occupied", 8), ("SES1", "vacant", 2),
        ("SUBSES", "occupied", 4)]


def test_executive_tree_of_an_agency(connection: duckdb.DuckDBPyConnection) -> None:
    tree = queries.executive_tree(connection, Filters("2025-06-30", agency_code="DEPA"))
    managers = dict(tree.select("position_id", "manager_position_id").rows())
    assert len(managers) == 10
    assert managers["P001"] is None
    assert managers["P035"] == "P030"
    assert managers["P033"] == "P021"


def test_executive_vacancies(connection: duckdb.DuckDBPyConnection) -> None:
    vacancies = queries.executive_vacancies(connection, LATEST)
    assert vacancies.select("position_id", "occupancy").rows() == [
        ("P031", "vacant"), ("G032", "vacant"), ("P021", "acting")]


def test_tier_trend_covers_every_snapshot(connection: duckdb.DuckDBPyConnection) -> None:
    trend = queries.tier_trend(connection, Filters("2025-06-30", tier="SES1"))
    assert trend.select("snapshot_date", "count_positions").rows() == [
        (dt.date(2024, 6, 30), 11), (dt.date(2025, 6, 30), 10)]


# ---- performance -----------------------------------------------------------------------------

def test_maturity(connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.maturity_years(connection) == ("2025", "2024")
    matrix = queries.maturity_matrix(connection, Filters(agency_code="DEPA"), "2025")
    assert matrix.select("element", "maturity_level").rows() == [
        ("expectations", 2), ("assessment", 3), ("reward and recognition", 2),
        ("development", 3), ("unsatisfactory performance", 1)]


def test_rating_distribution_lists_the_whole_scale(
        connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.rating_cycles(connection) == ("2024-25",)
    ratings = raw(queries.rating_distribution)(connection, LATEST, "2024-25")
    overall = ratings.filter(pl.col("dimension") == "overall_rating")
    assert overall.select("rating", "count_ratings").rows() == [
        ("unsatisfactory", 0), ("developing", 1), ("effective", 8), ("highly effective", 3),
        ("outstanding", 1)]
    by_agency = raw(queries.overall_rating_by_agency)(connection, LATEST, "2024-25")
    assert by_agency.filter(pl.col("agency_code") == "DEPB").select(
        "rating", "count_ratings").rows() == [("developing", 1), ("effective", 3)]
    shown = queries.rating_distribution(connection, LATEST, "2024-25").filter(
        pl.col("dimension") == "overall_rating")
    assert shown.select("rating", "count_ratings").rows() == [
        ("unsatisfactory", 0), ("developing", None), ("effective", 8),
        ("highly effective", None), ("outstanding", None)]


# ---- data quality ----------------------------------------------------------------------------

def test_load_audit_reconciles(connection: duckdb.DuckDBPyConnection) -> None:
    audit = queries.load_audit(connection)
    assert sorted(column(audit, "source_file")) == [
        "determinations.csv", "maturity.csv", "performance.csv", "positions_2024.csv",
        "positions_2025.csv"]
    assert all(column(audit, "reconciles"))
    results = queries.validation_results(connection)
    assert results.filter(pl.col("extract_kind") == "positions").select(
        "files", "rows_read", "rows_loaded", "rows_quarantined").row(0) == (2, 72, 71, 1)


def test_quarantine_reasons_are_grouped_with_values_blanked(
        connection: duckdb.DuckDBPyConnection) -> None:
    reasons = queries.quarantine_reasons(connection)
    assert reasons.select("extract_kind", "column", "count_rows").rows() == [
        ("determinations", "decision_date", 1), ("positions", "snapshot_date", 1)]
    assert not any("06/30/2025" in reason for reason in column(reasons, "reason"))
    assert all(" … is not a date" in reason for reason in column(reasons, "reason"))


def test_quarantined_rows_name_no_evaluator(connection: duckdb.DuckDBPyConnection) -> None:
    rows = queries.quarantine_rows(connection, 10)
    assert column(rows, "source_file") == ["determinations.csv", "positions_2025.csv"]
    determination = rows.row(0, named=True)["raw_record"]
    assert '"determination_id":"D-BAD"' in determination
    assert "evaluator" not in determination
    assert queries.quarantine_rows(connection, 1).height == 1


def test_unmapped_spellings(connection: duckdb.DuckDBPyConnection) -> None:
    assert queries.unmapped_spellings(connection).rows() == [
        ("APS", "Graduate Officer", "positions", 2, 1)]


def test_crosswalk_assumption_is_the_files_header() -> None:
    text = queries.crosswalk_assumption()
    assert text.startswith("The cross-jurisdiction crosswalk")
    assert "THIS IS AN ASSUMPTION" in text
    assert "grades = [" not in text
