"""The command line: exit codes of `workvalue run` per the contract, and its summary."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipeline import cli
from tests.helpers import TESTS, copy_fixtures, flat

EXTRACTS = ("maturity_dof.csv", "positions_dof.csv", "readme.txt")
SUMMARY = re.compile(r"(\d+) files \((\d+) unchanged\): (\d+) rows read, (\d+) loaded, "
                     r"(\d+) quarantined in \d+\.\d s")


def workvalue(*arguments: str) -> subprocess.Popen[str]:
    """Return the installed `workvalue` command started in a new process."""
    command = [str(Path(sys.executable).parent / "workvalue"), *arguments]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "300"})


@dataclass(frozen=True)
class Done:
    """How a `workvalue run` in a new process ended."""

    input_dir: Path
    warehouse: Path
    returncode: int
    stdout: str
    stderr: str


UNUSABLE = {  # case -> the fixtures its input folder holds (None: no folder at all)
    "missing folder": None,
    "missing column": ("reading", ("positions_missing_column.csv",)),
    "warehouse in use": ("cli", EXTRACTS),
}


@pytest.fixture(scope="module")
def unusable(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Done]:
    """Return how `workvalue run` ended on each unusable input (the processes run at once)."""
    root = tmp_path_factory.mktemp("unusable")
    started: dict[str, tuple[Path, Path, subprocess.Popen[str]]] = {}
    lock = (root / "warehouse in use.duckdb.lock").open("a+")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another run writing to it does
    try:
        for case, fixtures in UNUSABLE.items():
            folder = root / case
            if fixtures is not None:
                copy_fixtures(fixtures[0], *fixtures[1], into=folder)
            warehouse = root / f"{case}.duckdb"
            started[case] = (folder, warehouse, workvalue(
                "run", "--input", str(folder), "--warehouse", str(warehouse)))
        done = {case: Done(folder, warehouse, process.returncode, *output)
                for case, (folder, warehouse, process) in started.items()
                for output in [process.communicate(timeout=120)]}
    finally:
        lock.close()
    return done


def invoke(*arguments: str) -> Result:
    """Return the result of the command line run in process."""
    return CliRunner().invoke(cli.app, list(arguments))


# ---- In a new process: the real entry point, on input it cannot use ---------------------------

@pytest.mark.parametrize(("case", "message"), [
    ("missing folder", "error: input folder {input} does not exist or is not a folder"),
    ("missing column", "error: file positions_missing_column.csv, column 'position_title': "
                       "required column is missing (the header has: snapshot_date, "
                       "jurisdiction, agency_code, agency_name, position_id, classification)"),
    ("warehouse in use", "error: warehouse {warehouse} is being written by another workvalue "
                         "run; try again when it has finished"),
])
def test_unusable_input_exits_2_with_one_message(unusable: dict[str, Done], case: str,
                                                 message: str) -> None:
    done = unusable[case]
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.count("error: ") == 1
    assert flat(done.stderr) == message.format(input=done.input_dir, warehouse=done.warehouse)


# ---- In process -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, tuple[str, ...]]:
    """Return the first run of the CLI on tests/cli/, and its arguments (to run it again)."""
    root = tmp_path_factory.mktemp("cli")
    folder = copy_fixtures("cli", *EXTRACTS, into=root / "in")
    arguments = ("run", "--input", str(folder), "--warehouse", str(root / "w.duckdb"))
    return invoke(*arguments), arguments


def test_a_run_with_quarantined_rows_exits_0_with_a_summary(
        first_run: tuple[Result, tuple[str, ...]]) -> None:
    result = first_run[0]
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["maturity_dof.csv: loaded: 2 read, 1 loaded, 1 quarantined",
                         "positions_dof.csv: loaded: 3 read, 2 loaded, 1 quarantined"]
    assert SUMMARY.fullmatch(lines[2]).groups() == ("2", "0", "5", "3", "2")
    assert len(lines) == 3


def test_a_rerun_reports_every_file_unchanged(
        first_run: tuple[Result, tuple[str, ...]]) -> None:
    result = invoke(*first_run[1])
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "maturity_dof.csv: unchanged: loaded before (2 rows), nothing added",
        "positions_dof.csv: unchanged: loaded before (3 rows), nothing added"]
    assert SUMMARY.fullmatch(result.output.splitlines()[2]).groups() == (
        "2", "2", "0", "0", "0")


def test_a_folder_without_extracts_exits_2(tmp_path: Path) -> None:
    folder = copy_fixtures("cli", "readme.txt", into=tmp_path / "in")
    result = invoke("run", "--input", str(folder), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert flat(result.output) == (
        f"error: no extract files in {folder}: expected positions*, determinations*, "
        "performance*, maturity* files ending in .csv, .xlsx, .parquet")
    assert not (tmp_path / "w.duckdb").exists()


def test_an_internal_error_exits_1_without_a_traceback(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise KeyError("stage")

    monkeypatch.setattr("pipeline.run.run_pipeline", broken)
    monkeypatch.delenv("WORKVALUE_DEBUG", raising=False)
    result = invoke("run", "--input", str(TESTS / "cli"), "--warehouse",
                    str(tmp_path / "w.duckdb"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert flat(result.output) == ("internal error: KeyError: 'stage' Please report it; set "
                                   "WORKVALUE_DEBUG=1 to see where it happened.")


def test_a_message_with_square_brackets_is_printed_as_is(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "positions_brackets.csv").write_text("Position [/b],Notes [draft]\nP1,x\n")
    result = invoke("run", "--input", str(folder), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.exit_code == 2
    assert "(the header has: Position [/b], Notes [draft])" in flat(result.output)
