"""The bench command: at a tiny scale it runs end to end and writes its report.

Speed itself is measured by `workvalue bench` (docs/benchmarks.md), never asserted in a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline import bench, cli
from pipeline.run import PHASES, POST_LOAD_STAGES

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
        queries = [name for name, _ in bench.dashboard_pages()[page]]
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
