"""The wheel installs: built with `uv build`, installed into a clean virtual environment away
from the checkout, its `workvalue sample` and `workvalue run` work (SQL, data and expectations
ship inside it and are found through importlib.resources)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.wheel


def uv(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Return a finished `uv` command, offline from the local cache first, then online."""
    command = shutil.which("uv")
    assert command, "uv is not on PATH (make setup installs it)"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run([command, *arguments, "--offline"], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        done = subprocess.run([command, *arguments], cwd=cwd, env=env, capture_output=True,
                              text=True)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the wheel `uv build` makes of the checkout."""
    root = tmp_path_factory.mktemp("dist")
    uv("build", "--wheel", "--out-dir", str(root), str(ROOT), cwd=root)
    (built,) = root.glob("workvalue-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bin folder of a clean virtual environment with the built wheel installed."""
    root = tmp_path_factory.mktemp("venv")
    uv("venv", "--python", sys.executable, str(root / "venv"), cwd=root)
    python = root / "venv" / "bin" / "python"
    uv("pip", "install", "--python", str(python), str(wheel), cwd=root)
    return python.parent


def test_the_wheel_ships_sql_data_and_expectations_inside_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in ("sql", "data", "expectations"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / source).rglob("*")
                   if p.is_file() and ".duckdb" not in p.name}
        assert {f"pipeline/{name}" for name in shipped} <= names, source
    assert "samplegen/plants/agency_band_drift.py" in names
    assert not [n for n in names if ".duckdb" in n or n.startswith(("tests/", "sql/", "data/"))]


def test_sample_then_run_in_a_clean_environment(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    where = subprocess.run([str(installed / "python"), "-c", "import pipeline; "
                            "print(pipeline.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)
    sample = subprocess.run([str(installed / "workvalue"), "sample", "--out", "sample",
                             "--scale", "0.2"],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert sample.returncode == 0, sample.stderr
    assert "planted:" in sample.stdout
    run = subprocess.run([str(installed / "workvalue"), "run", "--input", "sample",
                          "--warehouse", "w.duckdb"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    counts = re.search(r"([\d,]+) rows read, ([\d,]+) loaded, ([\d,]+) quarantined", run.stdout)
    assert counts, run.stdout
    read, loaded, quarantined = (int(c.replace(",", "")) for c in counts.groups())
    assert read == loaded + quarantined and quarantined == 8  # expected_quarantine.csv's rows
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        rules = connection.execute("select count(distinct rule_id) from flags").fetchone()
    planted = {line.split(",")[0] for line in
               (tmp_path / "sample" / "expected_flags.csv").read_text().splitlines()[1:]}
    assert rules is not None and rules[0] >= len(planted) >= 12
