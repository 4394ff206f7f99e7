"""The bench command: at a tiny scale it runs end to end and writes its report.

Speed itself is measured by `workvalue bench` (docs/benchmarks.md), never asserted in a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline import bench, catalog, cli, run, score
from pipeline.errors import MemoryLimitError
from pipeline.run import PHASES, POST_LOAD_STAGES
from samplegen import write_sample
from tests.helpers import copy_fixtures
from tests.test_sample import PLANTS, read_extract

SCALE = "0.2"


@pytest.fixture(scope="module")
def benched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Return the bench's output folder and what it printed, at scale 0.2."""
    out = tmp_path_factory.mktemp("bench")
    result = CliRunner().invoke(cli.app, ["bench", "--scale", SCALE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def report(benched: tuple[Path, str]) -> dict[str, Any]:
    """Return the JSON report the bench wrote."""
    return json.loads((benched[0] / f"bench-scale-{SCALE}.json").read_text())


def test_the_report_has_the_floor_both_runs_and_every_phase(report: dict[str, Any]) -> None:
    assert report["scale"] == float(SCALE)
    assert report["machine"]["cpus"] >= 1
    for name in ("floor", "run", "rerun"):
        assert report[name]["seconds"] > 0
        assert report[name]["peak_mb"] > 0
    for name in ("run", "rerun"):
        phases = report[name]["phases"]
        assert list(phases) == ["startup", *PHASES, *(stage for stage, _ in POST_LOAD_STAGES)]
        assert report[name]["ratio_to_floor"] == pytest.approx(
            report[name]["seconds"] / report["floor"]["seconds"], abs=0.01)
        assert report[name]["cpu_ratio_to_floor"] == pytest.approx(
            report[name]["cpu_seconds"] / report["floor"]["cpu_seconds"], abs=0.01)
    # a process's CPU seconds: more than nothing, and the floor's at most its threads' worth
    assert 0 < report["floor"]["cpu_seconds"] <= report["floor"]["seconds"] * os.cpu_count()


def test_the_run_loads_every_sample_row_and_the_rerun_none(report: dict[str, Any]) -> None:
    run, rerun = report["run"], report["rerun"]
    assert run["rows_read"] == report["sample"]["rows"]
    assert run["rows_loaded"] + run["rows_quarantined"] == run["rows_read"]
    assert rerun["files_unchanged"] == rerun["files"] == report["sample"]["files"]
    assert rerun["rows_read"] == 0


def test_every_dashboard_page_is_timed_cold_and_warm(report: dict[str, Any]) -> None:
    pages = report["dashboard"]["pages"]
    assert list(pages) == list(bench.dashboard_pages())
    for page, timing in pages.items():
        queries = [query.label for query in bench.dashboard_pages()[page]]
        assert list(timing["queries"]) == queries
        assert timing["cold_ms"] == pytest.approx(
            sum(query["cold_ms"] for query in timing["queries"].values()), abs=0.5)


def test_the_markdown_report_and_summary_name_every_page(benched: tuple[Path, str],
                                                         report: dict[str, Any]) -> None:
    out, printed = benched
    text = (out / f"bench-scale-{SCALE}.md").read_text()
    assert "| `workvalue run`, new warehouse |" in text
    assert "x the floor" in printed
    for page in report["dashboard"]["pages"]:
        assert f"| {page} |" in text
        assert f"page {page}:" in printed


def test_a_second_bench_reuses_the_sample(benched: tuple[Path, str]) -> None:
    out, _ = benched
    described = bench.ensure_sample(out, float(SCALE), 42)
    assert described["reused"] is True
    assert described["rows"] > 0


def test_the_report_times_every_rule_with_the_check_stage_alone(report: dict[str, Any]) -> None:
    alone = report["check_alone"]
    assert set(alone["rules"]) == {rule.rule_id for rule in catalog.rules()}
    assert all(seconds >= 0 for seconds in alone["rules"].values())
    assert sum(alone["rules"].values()) <= alone["inner_seconds"] <= alone["seconds"]
    assert alone["peak_mb"] > 0


def test_the_many_agencies_shape_spreads_the_rows_over_small_agencies(tmp_path: Path) -> None:
    summary = write_sample(tmp_path, seed=3, scale=3, shape="many-agencies")
    positions = pl.concat([read_extract(tmp_path / name).select("snapshot_date", "agency_code")
                           for name in summary.files
                           if name.startswith("positions_") and "defects" not in name])
    per_agency = positions.group_by("snapshot_date", "agency_code").len()["len"]
    assert positions.height == pytest.approx(30_000, rel=0.1)
    assert positions["agency_code"].n_unique() == round(30_000 / 1_100)
    assert 300 <= per_agency.median() <= 700
    decided = pl.concat([read_extract(tmp_path / name).select("evaluator")
                         for name in summary.files
                         if name.startswith("determinations_") and "defects" not in name])
    planted = {spec["evaluator"] for spec in PLANTS["plants"] if "evaluator" in spec}
    assert set(decided["evaluator"]) - planted == {"E01", "E02", "E03", "E04"}
    assert set(summary.planted) == set(write_sample(tmp_path / "sample", seed=3).planted)


def test_a_stage_out_of_memory_names_the_stage_and_the_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def hungry(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute("set memory_limit = '8MB'")
        connection.execute("select list(range) from range(10000000)").fetchall()

    monkeypatch.setattr(run, "POST_LOAD_STAGES", (("score", score.score_positions),
                                                  ("check", hungry)))
    copy_fixtures("loading", "positions_a.csv", into=tmp_path / "input")
    with pytest.raises(MemoryLimitError, match=r"^the check stage ran out of memory: DuckDB may"
                       r" use \S+ here; raise it with WORKVALUE_MEMORY_LIMIT="):
        run.run_pipeline(tmp_path / "input", tmp_path / "w.duckdb")


def test_a_run_out_of_memory_exits_1_with_the_stage_not_an_internal_error(
        tmp_path: Path) -> None:
    copy_fixtures("loading", "positions_a.csv", "determinations_a.csv", into=tmp_path / "input")
    done = subprocess.run([str(Path(sys.executable).parent / "workvalue"), "run", "--input",
                           str(tmp_path / "input"), "--warehouse", str(tmp_path / "w.duckdb")],
                          capture_output=True, text=True,
                          env={**os.environ, "WORKVALUE_MEMORY_LIMIT": "1MB", "COLUMNS": "300"})
    assert done.returncode == 1
    assert "stage ran out of memory: DuckDB may use 1MB here" in done.stderr
    assert "WORKVALUE_MEMORY_LIMIT=" in done.stderr and "internal error" not in done.stderr
