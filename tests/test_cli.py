"""The command line: exit codes of `workvalue run` per the contract, and its summary."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipeline import cli
from tests.helpers import TESTS, copy_fixtures, flat

EXTRACTS = ("maturity_dof.csv", "positions_dof.csv", "readme.txt")
SUMMARY = re.compile(r"(\d+) files \((\d+) unchanged\): (\d+) rows read, (\d+) loaded, "
                     r"(\d+) quarantined in \d+\.\d s")


def workvalue(*arguments: str, columns: int = 300) -> subprocess.Popen[str]:
    """Return the installed `workvalue` command started in a new process, COLUMNS wide."""
    command = [str(Path(sys.executable).parent / "workvalue"), *arguments]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": str(columns)})


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


def test_an_error_is_one_line_whatever_the_path_length_and_terminal_width(
        tmp_path: Path) -> None:
    """A path in an error is printed whole on one line, so that it can be copied."""
    short = tmp_path / "i"
    long = tmp_path / ("a-folder-with-a-long-name-" * 6) / ("nested " * 12).strip() / "in"
    started = {(folder, columns): workvalue("run", "--input", str(folder), "--warehouse",
                                            str(tmp_path / "w.duckdb"), columns=columns)
               for folder in (short, long) for columns in (20, 400)}
    for (folder, _), process in started.items():
        stdout, stderr = process.communicate(timeout=120)
        assert (process.returncode, stdout) == (2, "")
        assert stderr == f"error: input folder {folder} does not exist or is not a folder\n"


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
    assert lines[3] == "findings: 2 (0 high, 2 medium, 0 low)"
    assert len(lines) == 4
    warehouse = first_run[1][first_run[1].index("--warehouse") + 1]
    with duckdb.connect(warehouse, read_only=True) as connection:
        assert connection.execute("select severity, count(*) from flags group by all"
                                  ).fetchall() == [("medium", 2)]


def test_a_rerun_reports_every_file_unchanged(
        first_run: tuple[Result, tuple[str, ...]]) -> None:
    result = invoke(*first_run[1])
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "maturity_dof.csv: unchanged: loaded before (2 rows), nothing added",
        "positions_dof.csv: unchanged: loaded before (3 rows), nothing added"]
    assert SUMMARY.fullmatch(result.output.splitlines()[2]).groups() == (
        "2", "2", "0", "0", "0")
    assert result.output.splitlines()[3:] == ["findings: 2 (0 high, 2 medium, 0 low)"]


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


# ---- workvalue dashboard ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def loaded_warehouse(first_run: tuple[Result, tuple[str, ...]]) -> Path:
    """Return the warehouse of the first run (agency DOF)."""
    return Path(first_run[1][first_run[1].index("--warehouse") + 1])


def test_dashboard_on_a_missing_warehouse_or_agency_exits_2_before_any_server(
        loaded_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr("pipeline.serve.serve", lambda command: started.append(command) or 0)
    missing = tmp_path / "none.duckdb"
    result = invoke("dashboard", "--warehouse", str(missing))
    assert (result.exit_code, result.output) == (
        2, f"error: warehouse {missing} does not exist: run `workvalue run` first\n")
    result = invoke("dashboard", "--warehouse", str(loaded_warehouse), "--agency", "NOPE")
    assert (result.exit_code, result.output) == (
        2, f"error: agency NOPE has no positions in warehouse {loaded_warehouse} (agencies:"
           " DOF); check the code given to --agency\n")
    assert started == []
    assert not missing.exists()
    result = invoke("dashboard", "--warehouse", str(loaded_warehouse), "--agency", "DOF")
    assert result.exit_code == 0
    [command] = started
    assert command[command.index("--server.address") + 1] == "127.0.0.1"  # never every interface
    assert command[-4:] == ["--warehouse", str(loaded_warehouse), "--agency", "DOF"]


def children(pid: int) -> list[int]:
    """Return the process ids of a process's children (Linux /proc)."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def listening(port: int) -> bool:
    """Return whether something on 127.0.0.1 accepts connections on the port."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """Return a port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sigterm_to_the_dashboard_command_stops_its_server(loaded_warehouse: Path) -> None:
    port = free_port()
    process = workvalue("dashboard", "--warehouse", str(loaded_warehouse), "--port", str(port))
    try:
        deadline = time.monotonic() + 90
        while not listening(port):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr
            time.sleep(0.5)
        [server] = children(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) in (0, 128 + signal.SIGTERM)  # stopped, or as killed
        deadline = time.monotonic() + 30
        while Path(f"/proc/{server}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Path(f"/proc/{server}").exists()  # the server went with the command
        assert not listening(port)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_unrecognised_classifications_are_named_with_count_and_first_row(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "positions_new.csv").write_text(
        "snapshot_date,jurisdiction,agency_code,agency_name,position_id,position_title,"
        "classification\n"
        "2025-06-30,APS,DOF,Finance,P1,Deputy Secretary,SES Band 4\n"
        "2025-06-30,APS,DOF,Finance,P2,Deputy Secretary,SES Band 3\n"
        "2025-06-30,APS,DOF,Finance,P3,Deputy Secretary,SES Band 4\n")
    result = invoke("run", "--input", str(folder), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2] == (
        "unrecognised classification 'SES Band 4' (APS positions): 2 rows, first in"
        " positions_new.csv row 1; loaded without a code: add a pattern to"
        " data/classifications.toml and run again")
