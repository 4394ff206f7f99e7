"""A rerun over extracts that are all loaded already recomputes and publishes nothing.

The published warehouse file stays the very same file (inode, bytes, version id); a new file, a
changed file, or a change of the code, SQL or data the marts are built with rebuilds them.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline import run as run_module
from pipeline import settings
from pipeline.review import Decision, record_review_at
from pipeline.run import RunSummary
from tests.helpers import TESTS, Opener, copy_fixtures, run

LOADING = "loading"
FILES = ("positions_a.csv", "positions_b.csv", "determinations_a.csv")


def fingerprint(path: Path) -> tuple[int, str]:
    """Return a file's inode and the sha256 of its bytes."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def version(read_only: Opener, path: Path) -> str:
    """Return the warehouse's publish id."""
    connection = read_only(path)
    try:
        return str(connection.execute("select version_id from warehouse_version").fetchall()[0][0])
    finally:
        connection.close()


def statuses(summary: RunSummary) -> list[tuple[str, str, int]]:
    """Return each file's name, status and rows read."""
    return [(f.source_file, f.status, f.rows_read) for f in summary.files]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """Return an input folder and the warehouse of a full run over it (every stage)."""
    folder = copy_fixtures(LOADING, *FILES, into=tmp_path / "in")
    run(folder, tmp_path / "w.duckdb")
    return folder, tmp_path / "w.duckdb"


def test_a_rerun_of_unchanged_extracts_leaves_the_warehouse_file_untouched(
        built: tuple[Path, Path], read_only: Opener) -> None:
    folder, path = built
    before, published = fingerprint(path), version(read_only, path)
    summary = run(folder, path)
    assert statuses(summary) == [("determinations_a.csv", "unchanged", 2),
                                 ("positions_a.csv", "unchanged", 4),
                                 ("positions_b.csv", "unchanged", 3)]
    assert (summary.rows_loaded, summary.rows_quarantined) == (0, 0)
    assert fingerprint(path) == before
    assert version(read_only, path) == published
    assert not path.with_name(path.name + ".building").exists()


def test_a_new_file_is_loaded_and_the_marts_rebuilt(tmp_path: Path, read_only: Opener) -> None:
    folder = copy_fixtures(LOADING, "positions_a.csv", "determinations_a.csv",
                           into=tmp_path / "in")
    path = tmp_path / "w.duckdb"
    run(folder, path)
    published = version(read_only, path)
    shutil.copy(TESTS / LOADING / "positions_b.csv", folder / "positions_b.csv")
    summary = run(folder, path)
    assert statuses(summary)[2] == ("positions_b.csv", "loaded", 3)
    assert version(read_only, path) != published
    connection = read_only(path)
    assert connection.execute("select count(*) from position_scores"
                              " where position_id = 'P9'").fetchall() == [(1,)]  # positions_b


def test_a_change_of_configuration_rebuilds_the_marts_from_the_same_rows(
        built: tuple[Path, Path], read_only: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, path = built
    published = version(read_only, path)
    connection = read_only(path)
    flags = connection.execute("select flag_key from flags order by flag_key").fetchall()
    connection.close()
    monkeypatch.setattr(run_module, "configuration_sha256", lambda *parts: "another")
    summary = run(folder, path)
    assert {f.status for f in summary.files} == {"unchanged"}
    assert version(read_only, path) != published
    connection = read_only(path)
    assert connection.execute("select configuration_sha256 from published_inputs"
                              ).fetchall() == [("another",)]
    assert connection.execute("select flag_key from flags order by flag_key").fetchall() == flags


def test_a_warehouse_built_before_published_inputs_is_rebuilt_once(
        built: tuple[Path, Path], read_only: Opener) -> None:
    folder, path = built
    with duckdb.connect(str(path)) as connection:
        connection.execute("drop table published_inputs")
    run(folder, path)
    rebuilt = version(read_only, path)
    before = fingerprint(path)
    run(folder, path)
    assert (version(read_only, path), fingerprint(path)) == (rebuilt, before)


def test_a_review_carries_the_marts_forward_so_the_next_rerun_is_still_a_no_op(
        built: tuple[Path, Path], read_only: Opener) -> None:
    folder, path = built
    connection = read_only(path)
    [(flag_key,)] = connection.execute("select flag_key from flags order by flag_key limit 1"
                                       ).fetchall()
    connection.close()
    record_review_at(path, flag_key, Decision.JUSTIFIED, "seen and accepted", "analyst")
    reviewed, published = fingerprint(path), version(read_only, path)
    assert statuses(run(folder, path))[0][1] == "unchanged"
    assert (fingerprint(path), version(read_only, path)) == (reviewed, published)


def test_a_publish_that_does_not_carry_the_marts_forward_makes_the_next_run_rebuild(
        built: tuple[Path, Path], read_only: Opener) -> None:
    folder, path = built
    with duckdb.connect(str(path)) as connection:  # as an older workvalue would publish
        connection.execute("update warehouse_version set version_id = 'published elsewhere'")
    run(folder, path)
    connection = read_only(path)
    [(published, inputs)] = connection.execute(
        "select version_id, (select version_id from published_inputs) from warehouse_version"
    ).fetchall()
    assert published != "published elsewhere"
    assert inputs == published


def test_a_run_without_every_stage_does_not_count_as_built(
        built: tuple[Path, Path], tmp_path: Path, read_only: Opener) -> None:
    folder, complete = built
    path = tmp_path / "loaded_only.duckdb"
    run(folder, path, stages=False)
    run(folder, path)
    scores = "select position_id, indicated_tier from position_scores order by position_id"
    assert read_only(path).execute(scores).fetchall() == read_only(complete).execute(
        scores).fetchall() != []


def test_the_configuration_hash_follows_code_sql_and_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder, pattern in settings.FINGERPRINTED:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"one.{pattern.removeprefix('*.')}").write_text("a = 1\n")
    monkeypatch.setattr(settings, "PROJECT_DIR", tmp_path)
    first = settings.configuration_sha256("score", "check")
    assert settings.configuration_sha256("score", "check") == first
    assert settings.configuration_sha256("score") != first
    (tmp_path / "data" / "one.toml").write_text("a = 2\n")
    changed = settings.configuration_sha256("score", "check")
    assert changed != first
    (tmp_path / "data" / "notes.txt").write_text("not a data file")
    assert settings.configuration_sha256("score", "check") == changed
    (tmp_path / "sql" / "nested").mkdir()
    (tmp_path / "sql" / "nested" / "two.sql").write_text("select 1")
    assert settings.configuration_sha256("score", "check") != changed


UNKNOWN_SPELLING = "Senior Executive B1"  # no pattern of data/classifications.toml knows it
NEW_PATTERN = """
[[patterns]]
jurisdictions = ["APS"]
pattern = "^SENIOREXECUTIVEB([1-3])$"
code = "SES{1}"
"""


@pytest.fixture
def configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a copy of data/'s configuration files, the one runs use ($WORKVALUE_DATA_DIR)."""
    copy = tmp_path / "configuration"
    copy.mkdir()
    for path in (settings.PROJECT_DIR / "data").glob("*.toml"):
        shutil.copy(path, copy / path.name)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(copy))
    return copy


def fetched(path: Path, query: str) -> list[tuple[object, ...]]:
    """Return a query's rows from a warehouse, on a connection closed at once.

    (DuckDB shares one open database per path in a process: a connection left open would go on
    reading the file a later publish replaced.)
    """
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(query).fetchall()


def test_a_change_of_classifications_recodes_loaded_rows_and_keeps_every_review(
        configuration: Path, tmp_path: Path) -> None:
    folder = copy_fixtures(LOADING, *FILES, into=tmp_path / "in")
    (folder / "positions_c.csv").write_text(
        "snapshot_date,jurisdiction,agency_code,agency_name,position_id,position_title,"
        "classification,fte\n"
        f"2025-06-30,APS,DOH,Department of Health,H1,Deputy Secretary,SES Band 3,1\n"
        f"2025-06-30,APS,DOH,Department of Health,H2,Chief Counsel,{UNKNOWN_SPELLING},1\n"
        f"2025-06-30,APS,DOH,Department of Health,H3,Chief Actuary,{UNKNOWN_SPELLING},1\n")
    path = tmp_path / "w.duckdb"
    first = run(folder, path)
    assert [(u.classification, u.rows, u.first_file, u.first_row) for u in first.unrecognised
            ] == [(UNKNOWN_SPELLING, 2, "positions_c.csv", 2)]
    codes = "select position_id, classification_code from positions where agency_code = 'DOH'"
    assert sorted(fetched(path, codes)) == [("H1", "SES3"), ("H2", None), ("H3", None)]
    flag_keys = [key for (key,) in fetched(path, "select flag_key from flags order by flag_key")]
    assert flag_keys
    for key in flag_keys:
        record_review_at(path, key, Decision.JUSTIFIED, f"seen: {key}", "analyst")
    with (configuration / "classifications.toml").open("a", encoding="utf-8") as handle:
        handle.write(NEW_PATTERN)

    second = run(folder, path)
    assert statuses(second) == [("determinations_a.csv", "restaged", 2),
                                ("positions_a.csv", "restaged", 4),
                                ("positions_b.csv", "restaged", 3),
                                ("positions_c.csv", "restaged", 3)]
    assert second.unrecognised == ()
    assert (second.rows_read, second.rows_loaded + second.rows_quarantined) == (12, 12)
    assert sorted(fetched(path, codes)) == [("H1", "SES3"), ("H2", "SES1"), ("H3", "SES1")]
    assert fetched(path, "select flag_key, note from flag_reviews order by flag_key") == [
        (key, f"seen: {key}") for key in flag_keys]
    assert fetched(path, "select count(*), count(distinct sha256) from load_audit"
                         " where superseded_at is null") == [(4, 4)]
    published = fingerprint(path)
    third = run(folder, path)
    assert {f.status for f in third.files} == {"unchanged"}
    assert fingerprint(path) == published
