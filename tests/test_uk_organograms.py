"""The real UK organograms (../shared/real): every file loads as it is, nothing is lost.

Expected row counts per file come from the data's own SOURCE.md (measured independently of this
project); the findings pinned here were checked by hand against the files (docs/uk-organograms.md).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import InputError
from pipeline.read import ReadOptions
from pipeline.run import RunSummary, run_pipeline

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"
ORGANOGRAMS = REAL / "uk-organograms-2011-09"
DFE_2025 = REAL / "uk-dfe-junior-2025"
TODAY = dt.date(2026, 1, 1)

pytestmark = pytest.mark.skipif(not ORGANOGRAMS.is_dir(),
                                reason="../shared/real is not beside this checkout")


def source_counts() -> dict[str, int]:
    """Return SOURCE.md's table of rows per file (header excluded)."""
    text = (ORGANOGRAMS / "SOURCE.md").read_text(encoding="utf-8")
    return {name: int(rows) for name, rows in
            re.findall(r"^\| (\S+\.csv) \| (\d+) \| \d+ \|$", text, flags=re.MULTILINE)}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, Path]:
    """Return the summary and warehouse of one run over all 346 organogram files."""
    path = tmp_path_factory.mktemp("uk") / "uk.duckdb"
    return run_pipeline(ORGANOGRAMS, path, today=TODAY), path


@pytest.fixture(scope="module")
def warehouse(loaded: tuple[RunSummary, Path]) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the organogram warehouse."""
    connection = duckdb.connect(str(loaded[1]), read_only=True)
    yield connection
    connection.close()


def test_every_file_loads_with_the_rows_source_md_counts(loaded: tuple[RunSummary, Path]) -> None:
    """346 files, each read whole: rows read equal SOURCE.md's count, loaded + quarantined."""
    summary, _ = loaded
    expected = source_counts()
    assert len(expected) == 346
    assert {f.source_file: f.rows_read for f in summary.files} == expected
    assert all(f.rows_read == f.rows_loaded + f.rows_quarantined for f in summary.files)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (
        53_768, 53_683, 85)


def test_only_duplicate_post_references_are_quarantined(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """45 exact repeats load once; 40 rows share a post reference with different values."""
    rows = warehouse.execute(
        "select case when reason like 'repeats row %' then 'repeat' else 'conflicting' end,"
        " count(*), count(distinct source_file) from quarantine group by 1 order by 1").fetchall()
    assert rows == [("conflicting", 40, 11), ("repeat", 45, 15)]
    per_file = dict(warehouse.execute(
        "select source_file, count(*) from quarantine group by 1").fetchall())
    assert per_file["hm_treasury-2011-09-30-senior.csv"] == 20
    assert per_file["council_for_healthcare_regulatory_excellence-2011-09-30-senior.csv"] == 4


def test_grades_map_to_the_crosswalk_and_the_rest_stay_unmapped(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """Every senior grade maps (loaded + quarantined per grade = SOURCE.md's counts)."""
    senior = dict(warehouse.execute("""
        select grade, count(*) from (
            select classification as grade from positions where position_id not like 'JUNIOR-%'
                and classification_code like 'UK-%'
            union all
            select raw_record->>'classification' from quarantine where source_file like '%senior%'
        ) group by grade""").fetchall())
    assert senior == {"SCS1": 2905, "SCS2": 1142, "SCS3": 256, "SCS4": 49, "SCS1A": 125,
                      "OF-6": 249, "OF-7": 79, "OF-8": 18, "OF-9": 8}
    unmapped = warehouse.execute(
        "select count(*), count(distinct classification) from positions"
        " where classification_code is null").fetchall()[0]
    assert unmapped[1] > 1000  # departmental grade labels, kept and counted, never dropped
    assert unmapped[0] + warehouse.execute(
        "select count(*) from positions where classification_code is not null"
    ).fetchall()[0][0] == 53_683


def test_real_reversed_reporting_lines_are_found(warehouse: duckdb.DuckDBPyConnection) -> None:
    """SOURCE.md's examples of a post graded above the post it reports to are all flagged."""
    reversed_lines = {(agency, position) for agency, position in warehouse.execute(
        "select agency_code, position_id from flags where rule_id = 'hierarchy_inversion'"
        " and evidence->>'kind' = 'reversed'").fetchall()}
    assert len(reversed_lines) == 33
    assert {("DEPARTMENT-FOR-WORK-AND-PENSIONS", "DWP12"),  # SCS2 under an SCS1 UC director
            ("ENGINEERING-CONSTRUCTION-INDUSTRY-TRAINING-BOARD", "6038"),  # SCS2 CEO, SCS1 chair
            ("ENGLISH-HERITAGE", "17"),  # SCS3 director under an SCS2
            ("CABINET-OFFICE", "16"),  # SCS3 under an SCS1
            } <= reversed_lines


def test_self_reporting_posts_and_case_mismatched_parents_are_found(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """Posts reporting to themselves are cycles; DfE's DfE-3024 is named as DFE-3024's case."""
    cycles = warehouse.execute("select count(*) from flags where rule_id = 'reporting_cycle'"
                               " and evidence->>'loop_length' = '1'").fetchall()[0][0]
    assert cycles == 7
    message = warehouse.execute(
        "select message from flags where rule_id = 'orphan_reports_to'"
        " and position_id = 'DfE-3022'").fetchall()[0][0]
    assert "DfE-3024" in message and "position DFE-3024 differs only in letter case" in message


def test_names_are_not_loaded_unless_asked(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The Name column is personal data: no raw row of a senior file keeps it."""
    names = warehouse.execute("select count(*) from raw_positions"
                              " where json_exists(extra_columns, '$.name')").fetchall()[0][0]
    assert names == 0


def test_the_2025_dfe_file_needs_a_snapshot_date_and_then_loads(tmp_path: Path) -> None:
    """A file with no date in its rows or name is refused until --snapshot-date gives one."""
    with pytest.raises(InputError, match="--snapshot-date"):
        run_pipeline(DFE_2025, tmp_path / "dfe.duckdb", today=TODAY)
    summary = run_pipeline(DFE_2025, tmp_path / "dfe.duckdb", today=TODAY,
                           read_options=ReadOptions(snapshot_date="2025-09-30"))
    [outcome] = summary.files
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (3191, 3191, 0)
    connection = duckdb.connect(str(tmp_path / "dfe.duckdb"), read_only=True)
    fte = connection.execute("select round(sum(aggregate_fte), 2) from positions").fetchall()
    connection.close()
    assert fte == [(7550.04,)]  # the file's own total of "Number of Posts in FTE"
