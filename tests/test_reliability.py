"""Reliability: loads that survive faults, and readers that never see half a warehouse.

Real processes, real signals, real files. One scenario (the `faults` fixture), on a copy of a
warehouse loaded from the dashboard fixture extracts:

1. `workvalue run` starts loading the sample extracts into it and gets SIGKILL in the middle
   of its load (a thread watches its working copy grow). Meanwhile the same load runs
   uninterrupted, in this process, into another copy: the reference. The killed run's
   warehouse must be byte for byte as it was.
2. `workvalue run` is started again at once, over the working copy and lock file the killed
   run left behind. While it writes, a second run on the same warehouse is started (it must
   refuse), and this process reads the warehouse again and again through the dashboard's
   reader and exports it, in process and with `workvalue export`: every read is the old
   warehouse or the new one. The rerun must end exactly where the reference ended.

The `workvalue run` processes are started while the module builds its warehouse, their imports
done, and told their arguments when the scenario needs them (see Primed).

The other tests make a folder or a file unwritable, fill a small disk, leave a killed run's
litter behind, and hold a connection open across a publish.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from dashboards import queries
from dashboards.context import WarehouseReader
from dashboards.filters import Filters
from pipeline import cli, duck, publish
from pipeline.errors import WarehouseError
from pipeline.review import Decision, record_review_at
from pipeline.run import run_pipeline
from samplegen import write_sample
from tests.helpers import TESTS, TODAY, flat

FIXTURE_EXTRACTS = TESTS / "dashboard" / "extracts"
MB = 1 << 20
TIMEOUT = 240  # seconds a scenario may take before the test gives up
CONTENT_TABLES = ("positions", "determinations", "performance_ratings", "maturity_assessments",
                  "quarantine", "flags", "position_scores", "raw_positions")
NOT_COMPARED = ("warehouse_version",)  # a new id on every publish, by design


def workvalue(*arguments: str) -> subprocess.Popen[str]:
    """Return the installed `workvalue` command started in a new process."""
    command = [str(Path(sys.executable).parent / "workvalue"), *arguments]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "300"})


PRIMED = """
import json, sys
{validator}
from pipeline.cli import main
print("ready", flush=True)
sys.argv = ["workvalue", *json.loads(sys.stdin.readline())]
main()
"""
VALIDATOR = "import great_expectations  # the slow import (about 10 s), done before the go"


class Primed:
    """A `workvalue` process started ahead, its imports done, waiting for its arguments.

    Its command line is pipeline.cli.main, as the `workvalue` script's; only the moment it
    starts work is the test's to choose (Great Expectations alone takes about 10 s to import).
    """

    def __init__(self, *, validates: bool = True) -> None:
        script = PRIMED.format(validator=VALIDATOR if validates else "")
        self.process = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
            env={**os.environ, "COLUMNS": "300", "GX_ANALYTICS_ENABLED": "False"})

    def go(self, *arguments: str) -> subprocess.Popen[str]:
        """Return the process, told to run `workvalue ARGUMENTS` now that it is ready."""
        assert self.process.stdin is not None and self.process.stdout is not None
        assert self.process.stdout.readline() == "ready\n", self.process.stderr
        self.process.stdin.write(json.dumps(arguments) + "\n")
        self.process.stdin.flush()
        return self.process

    def stop(self) -> None:
        """End the process if it is still there (a test that never told it to go)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def invoke(*arguments: str) -> Result:
    """Return the result of the command line run in this process."""
    return CliRunner().invoke(cli.app, list(arguments))


def unwrapped(output: str) -> str:
    """Return a one-line message without its line end: errors are never wrapped to the terminal.

    Whatever the path's length or the terminal's width, the message is the one line printed.
    """
    assert output.count("\n") == 1 and output.endswith("\n"), output
    return output.removesuffix("\n")


def sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def size(path: Path) -> int:
    """Return a file's size, 0 when it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def modified(path: Path) -> int:
    """Return a file's modification time (ns), 0 when it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def beside(path: Path, suffix: str) -> Path:
    """Return the file FILE<suffix> beside a warehouse FILE (.building, .building.wal, .lock)."""
    return path.with_name(path.name + suffix)


def fingerprint(path: Path) -> dict[str, tuple[int, object]]:
    """Return every table's row count, and an order-free hash of the content tables' rows.

    A flag's evidence is compared as JSON, whatever the order of its keys.
    """
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [table for table in duck.table_names(connection)
                  if table not in NOT_COMPARED]
        found: dict[str, tuple[int, object]] = {}
        for table in tables:
            source = ('(select * exclude (evidence) from flags)' if table == "flags"
                      else f'"{table}"')
            hashed = "bit_xor(hash(t))" if table in CONTENT_TABLES else "null"
            found[table] = connection.execute(
                f"select count(*), {hashed} from {source} as t").fetchall()[0]
        evidence = sorted(json.dumps(json.loads(row[0] or "null"), sort_keys=True)
                          for row in connection.execute("select evidence from flags").fetchall())
        found["flags.evidence"] = (len(evidence), hashlib.sha256(
            "\n".join(evidence).encode()).hexdigest())
        return found


@dataclass(frozen=True)
class State:
    """What one read of the warehouse saw: its publish and the counts the dashboard shows."""

    publish_id: str | None
    positions: int
    files_loaded: int
    rows_quarantined: int
    flags: int
    open_flags: int


def observe(path: Path) -> State:
    """Return what the dashboard's reader sees in the warehouse right now (opened, then closed)."""
    reader = WarehouseReader.open(path)
    try:
        counts = reader.query(queries.headline_counts, Filters())
        glance = reader.query(queries.data_quality_glance)
        open_flags = reader.query(queries.flag_counts, Filters())["open"].sum()
        flags = reader.connection().execute("select count(*) from flags").fetchall()[0][0]
        return State(reader.version[0], counts["positions"], glance["files"],
                     glance["rows_quarantined"], flags, int(open_flags))
    finally:
        reader.close()


@dataclass
class Faults:
    """What the scenario saw."""

    base: dict[str, tuple[int, object]]
    base_state: State
    reference: dict[str, tuple[int, object]] = field(default_factory=dict)
    killed_while_wal: int = 0  # size of the working copy's WAL when the kill was sent
    killed_sha_before: str = ""
    killed_sha_after: str = ""
    killed_left: tuple[bool, bool] = (False, False)  # .building, .lock left behind
    killed_fingerprint: dict[str, tuple[int, object]] = field(default_factory=dict)
    rerun: tuple[int, str, str] = (0, "", "")  # exit code, stdout, stderr
    rerun_fingerprint: dict[str, tuple[int, object]] = field(default_factory=dict)
    final_state: State | None = None
    second: tuple[int, str, str] = (0, "", "")
    reads: list[tuple[bool, State]] = field(default_factory=list)  # (mid-load, what was seen)
    exports: list[int] = field(default_factory=list)  # rows each in-process export wrote
    cli_exports: list[tuple[int, str, int]] = field(default_factory=list)  # code, out, rows


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Return a process's exit code, stdout and stderr once it has ended."""
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    return process.returncode, stdout, stderr


def csv_rows(path: Path) -> int:
    """Return the data rows of an exported CSV file."""
    return pl.read_csv(path, infer_schema=False).height


def kill_mid_load(process: subprocess.Popen[str], path: Path, seen: Faults) -> None:
    """Send SIGKILL to a run as soon as rows are going into its working copy."""
    deadline = time.monotonic() + TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        wal = size(beside(path, ".building.wal"))
        if wal > MB:
            os.kill(process.pid, signal.SIGKILL)
            seen.killed_while_wal = wal
            break
        time.sleep(0.01)
    process.wait()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the module's folder: the fixture extracts, the sample extracts, a base warehouse."""
    folder = tmp_path_factory.mktemp("reliability")
    shutil.copytree(FIXTURE_EXTRACTS, folder / "old")
    write_sample(folder / "sample", seed=42, scale=1)
    run_pipeline(folder / "old", folder / "base.duckdb", today=TODAY)
    return folder


@pytest.fixture(scope="module")
def primed() -> Iterator[list[Primed]]:
    """Return three `workvalue` processes, primed while the module's warehouse is built.

    The run to kill and the rerun load (and import the validator); the second run is refused
    before it would validate anything.
    """
    processes = [Primed(), Primed(), Primed(validates=False)]
    yield processes
    for process in processes:
        process.stop()


@pytest.fixture(scope="module")
def faults(primed: list[Primed], root: Path) -> Faults:
    """Run the scenario (see the module docstring) and return what it saw."""
    target, reference = root / "killed.duckdb", root / "reference.duckdb"
    for copy in (target, reference):
        shutil.copy(root / "base.duckdb", copy)
    seen = Faults(base=fingerprint(root / "base.duckdb"), base_state=observe(target))
    seen.killed_sha_before = sha256(target)
    sample = root / "sample"
    killed = primed[0].go("run", "--input", str(sample), "--warehouse", str(target))
    killer = threading.Thread(target=kill_mid_load, args=(killed, target, seen))
    killer.start()
    run_pipeline(sample, reference)  # the same load, uninterrupted, dated today as the CLI's
    seen.reference = fingerprint(reference)
    killer.join(TIMEOUT)
    seen.killed_sha_after = sha256(target)
    seen.killed_left = (beside(target, ".building").exists(), beside(target, ".lock").exists())
    seen.killed_fingerprint = fingerprint(target)
    watch_a_run(root, target, seen, primed[1:])
    seen.final_state = observe(target)
    seen.rerun_fingerprint = fingerprint(target)
    return seen


def watch_a_run(root: Path, target: Path, seen: Faults, primed: list[Primed]) -> None:
    """Rerun the load and, while it writes, read, export and start a second run."""
    left_behind = modified(beside(target, ".building"))  # the killed run's working copy
    rerun = primed[0].go("run", "--input", str(root / "sample"), "--warehouse", str(target))
    second: subprocess.Popen[str] | None = None
    cli_exports: list[tuple[subprocess.Popen[str], Path]] = []
    deadline = time.monotonic() + TIMEOUT
    while rerun.poll() is None:
        assert time.monotonic() < deadline, "the rerun did not end in time"
        writing = modified(beside(target, ".building")) > left_behind  # its own copy: locked
        loading = writing and size(beside(target, ".building.wal")) > MB
        if writing and second is None:
            second = primed[1].go("run", "--input", str(TESTS / "cli"), "--warehouse",
                                  str(target))
        if writing and len(cli_exports) < (2 if loading else 1):
            output = root / f"cli_export_{len(cli_exports)}.csv"
            cli_exports.append((workvalue("export", "positions", "--warehouse", str(target),
                                          "--output", str(output)), output))
        seen.reads.append((loading, observe(target)))
        if len(seen.reads) % 5 == 0:
            output = root / f"export_{len(seen.reads)}.csv"
            seen.exports.append(publish.export_warehouse_table(target, "positions", output))
        time.sleep(0.05)
    seen.rerun = finished(rerun)
    seen.second = finished(second) if second else (-1, "", "never started")
    for process, output in cli_exports:
        code, stdout, _ = finished(process)
        seen.cli_exports.append((code, stdout, csv_rows(output) if code == 0 else -1))


# ---- a run killed with SIGKILL --------------------------------------------------------------

def test_a_run_killed_mid_load_leaves_the_warehouse_as_it_was(faults: Faults) -> None:
    assert faults.killed_while_wal > MB  # killed while rows were going into the working copy
    assert faults.killed_left == (True, True)  # it left its working copy and lock file behind
    assert faults.killed_sha_after == faults.killed_sha_before
    assert faults.killed_fingerprint == faults.base


def test_a_rerun_after_a_kill_completes_as_an_uninterrupted_run(faults: Faults) -> None:
    code, stdout, stderr = faults.rerun
    assert code == 0, stderr
    assert "Traceback" not in stdout + stderr
    assert faults.rerun_fingerprint == faults.reference  # counts and content
    assert faults.rerun_fingerprint["positions"][0] > faults.base["positions"][0]


# ---- two runs on one warehouse --------------------------------------------------------------

def test_a_second_run_is_refused_while_one_is_writing(faults: Faults,
                                                      root: Path) -> None:
    code, stdout, stderr = faults.second
    assert code == 2
    assert stdout == "" and "Traceback" not in stderr
    assert flat(stderr) == (f"error: warehouse {root / 'killed.duckdb'} is being written by "
                            "another workvalue run; try again when it has finished")
    assert faults.rerun[0] == 0, faults.rerun[2]
    loaded = faults.rerun_fingerprint["load_audit"][0]
    assert loaded == faults.base["load_audit"][0] + 12  # the sample's 12 extracts, no more
    with duckdb.connect(str(root / "killed.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from load_audit where source_file in"
                                  " ('positions_dof.csv', 'maturity_dof.csv')").fetchall() == [
            (0,)]


# ---- reading while a run writes -----------------------------------------------------------

def test_the_dashboard_reader_sees_the_old_or_the_new_warehouse_never_a_mix(
        faults: Faults) -> None:
    old, new = faults.base_state, faults.final_state
    assert new is not None and old != new and old.publish_id != new.publish_id
    assert len(faults.reads) >= 10
    assert sum(1 for during_load, _ in faults.reads if during_load) >= 1
    assert {state for _, state in faults.reads} <= {old, new}
    assert faults.reads[0][1] == old


def test_exports_work_while_a_run_writes(faults: Faults) -> None:
    old, new = faults.base_state.positions, faults.final_state.positions
    assert faults.exports and set(faults.exports) <= {old, new}
    assert len(faults.cli_exports) == 2
    for code, stdout, rows in faults.cli_exports:
        assert code == 0
        assert rows in (old, new)
        assert f"wrote {rows:,} rows of positions" in stdout


def test_a_reader_opened_across_a_publish_keeps_to_one_publish(root: Path,
                                                               tmp_path: Path) -> None:
    """Another session's connection makes DuckDB hand out the file as it was before a publish:
    the reader's cache key must name what it read, not the file's new modification time."""
    path = shutil.copy(root / "base.duckdb", tmp_path / "w.duckdb")
    flag = duckdb.connect(str(path), read_only=True).execute(
        "select flag_key from flags where position_id is not null order by flag_key"
        " limit 1").fetchall()[0][0]
    other_session = duckdb.connect(str(path), read_only=True)
    before = observe(path)
    record_review_at(path, flag, Decision.ACT, "fix it", "R01")  # a publish
    during = observe(path)  # DuckDB hands out the instance other_session holds
    assert during == before
    other_session.close()
    after = observe(path)  # the file as published: not what `during` cached
    assert after.publish_id != before.publish_id
    assert after.open_flags == before.open_flags - 1
    with duckdb.connect(str(path), read_only=True) as connection:
        assert after.publish_id == connection.execute(
            "select version_id from warehouse_version").fetchall()[0][0]


# ---- leftovers, unwritable places and a full disk --------------------------------------------

def test_a_stale_working_copy_and_lock_do_not_block_the_next_run(root: Path,
                                                                 tmp_path: Path) -> None:
    path = shutil.copy(root / "base.duckdb", tmp_path / "w.duckdb")
    beside(path, ".building").write_bytes(b"half a warehouse" * 1000)
    beside(path, ".building.wal").write_bytes(b"\x00garbage")
    beside(path, ".lock").write_text("")  # a killed run's lock file (its lock died with it)
    result = invoke("run", "--input", str(root / "old"), "--warehouse", str(path))
    assert result.exit_code == 0, result.output
    assert not beside(path, ".building").exists()
    assert not beside(path, ".building.wal").exists()
    assert fingerprint(path) == fingerprint(root / "base.duckdb")


@contextmanager
def unwritable_folder(folder: Path) -> Iterator[Path]:
    """Yield a folder this process cannot write: a read-only mount as root, else chmod 555."""
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)],
                       check=True)
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def test_an_unwritable_warehouse_folder_exits_2(root: Path, tmp_path: Path) -> None:
    with unwritable_folder(tmp_path / "locked") as folder:
        for target in (folder / "w.duckdb", folder / "sub" / "w.duckdb"):
            result = invoke("run", "--input", str(root / "old"), "--warehouse", str(target))
            assert result.exit_code == 2
            assert "Traceback" not in result.output
            assert unwrapped(result.output).startswith(
                f"error: warehouse {target} cannot be written: ")
        output = folder / "positions.csv"
        result = invoke("export", "positions", "--warehouse", str(root / "base.duckdb"),
                        "--output", str(output))
        assert result.exit_code == 2
        assert unwrapped(result.output).startswith(f"error: cannot write {output}: ")


def test_a_read_only_warehouse_file_exits_2_and_is_left_alone(root: Path,
                                                              tmp_path: Path) -> None:
    path = shutil.copy(root / "base.duckdb", tmp_path / "w.duckdb")
    path.chmod(0o444)
    before = sha256(path)
    result = invoke("run", "--input", str(root / "sample"), "--warehouse", str(path))
    assert result.exit_code == 2
    assert unwrapped(result.output) == (f"error: warehouse {path} cannot be written: the file "
                                        "is read-only (give it write permission, or use another"
                                        " --warehouse)")
    with pytest.raises(WarehouseError, match="read-only"):
        record_review_at(path, "anykey00", Decision.ACT, "note", "R01")
    assert sha256(path) == before


@contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """Yield a folder on a tmpfs of the given size (needs root, to mount it)."""
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                   check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs to fill needs root")
def test_a_full_disk_exits_2_and_leaves_the_warehouse_as_it_was(root: Path,
                                                                tmp_path: Path) -> None:
    base = root / "base.duckdb"
    room = 2 * size(base) // MB + 2  # the warehouse, its working copy, and 2 MB to spare
    with small_disk(tmp_path / "disk", room) as disk:
        path = shutil.copy(base, disk / "w.duckdb")
        result = invoke("run", "--input", str(root / "sample"), "--warehouse", str(path))
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert unwrapped(result.output) == (f"error: no space left on the device for warehouse "
                                            f"{path}: nothing was published, the warehouse is "
                                            "as it was")
        assert sha256(path) == sha256(base)
        assert sorted(item.name for item in disk.iterdir()) == ["w.duckdb", "w.duckdb.lock"]


# ---- a warehouse named through a link ------------------------------------------------------

def test_a_run_through_a_link_publishes_the_file_it_leads_to(tmp_path: Path) -> None:
    real, link = tmp_path / "store" / "real.duckdb", tmp_path / "link.duckdb"
    real.parent.mkdir()
    link.symlink_to(real)  # the file is not there yet: the first run makes it where the link leads
    for index, fixture in enumerate(("positions_a.csv", "positions_b.csv")):
        folder = tmp_path / f"in{index}"  # a first publish, then one replacing the published file
        folder.mkdir()
        shutil.copy(TESTS / "loading" / fixture, folder / "positions.csv")
        run_pipeline(folder, link, today=TODAY)
        assert link.is_symlink() and link.resolve() == real
        assert [item.name for item in tmp_path.iterdir() if item.name.startswith("link")
                ] == ["link.duckdb"]  # no lock or working copy named after the link
    with duckdb.connect(str(real), read_only=True) as connection:
        assert connection.execute("select sha256 from load_audit where superseded_at is null"
                                  ).fetchall() == [(sha256(folder / "positions.csv"),)]


def test_two_runs_through_a_link_and_its_file_exclude_each_other(root: Path,
                                                                 tmp_path: Path) -> None:
    real, link = tmp_path / "real.duckdb", tmp_path / "link.duckdb"
    shutil.copy(root / "base.duckdb", real)
    link.symlink_to(real)
    racers = [Primed(), Primed()]
    try:
        started = [racer.go("run", "--input", str(root / "sample"), "--warehouse", str(path))
                   for racer, path in zip(racers, (link, real), strict=True)]
        done = [(process.wait(TIMEOUT), *process.communicate()) for process in started]
    finally:
        for racer in racers:
            racer.stop()
    assert sorted(code for code, _, _ in done) == [0, 2], done
    [(_, _, refused)] = [each for each in done if each[0] == 2]
    assert flat(refused) == (f"error: warehouse {real} is being written by another workvalue"
                             " run; try again when it has finished")
    assert link.is_symlink() and link.resolve() == real
    with duckdb.connect(str(real), read_only=True) as connection:
        loaded = connection.execute("select count(*) from load_audit").fetchall()[0][0]
    with duckdb.connect(str(root / "base.duckdb"), read_only=True) as connection:
        base = connection.execute("select count(*) from load_audit").fetchall()[0][0]
    assert loaded == base + 12  # the winner's sample, published into the real file once
