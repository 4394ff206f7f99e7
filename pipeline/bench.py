"""Bench: what `workvalue run` costs at a scale, measured against the floor on the same machine.

`workvalue bench --scale K [--out DIR]` writes the sample at scale K to DIR/sample-scale-K (or
reuses it), then runs, each in its own process, which reports its own peak memory (and the
parent its wall and CPU seconds):

1. the floor: DuckDB reading the same extract files once, every column as text, into a database
   file (read_csv(all_varchar=true), read_parquet cast to varchar): no load can cost less;
2. `workvalue run` into a new warehouse, with --timings for the seconds of each phase;
3. `workvalue run` again on the unchanged files (a rerun: every file hashed and found loaded).

Then it times every query each dashboard page asks of that warehouse, cold (a new read-only
connection per page, as the app opens one per page view) and warm (the same calls again). It
writes DIR/bench-scale-K.json and .md, and DIR/bench.png (the chart of every report in DIR)
when vl-convert is installed. docs/benchmarks.md has the figures and how to reproduce them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.bench_pages import DASHBOARD_TARGET_MS, dashboard_pages, time_dashboard
from pipeline.bench_report import markdown, save_chart, summary_lines
from pipeline.memory import peak_memory_mb
from pipeline.read import discover

SAMPLE_STAMP = "bench-sample.json"  # written last: a sample folder without it is incomplete
RATIO_TARGET = 8  # the whole run, against the floor
RATIOS = (("seconds", "ratio_to_floor"), ("cpu_seconds", "cpu_ratio_to_floor"))  # to the floor
TEXT = "varchar"
DEFAULT_SHAPE = "sample"  # samplegen.shapes.SHAPES: the bundled sample, or many-agencies
__all__ = ["dashboard_pages", "run_bench", "summary_lines"]


def timed_child(command: list[str], log: Path) -> tuple[float, float]:
    """Return the wall seconds and the CPU seconds (user and system, every thread's) of a
    command run in a new process, its output kept in `log`.

    The CPU seconds are the work done, which other work on the machine changes much less than
    the wall seconds: on a shared machine, their ratio to the floor's is the steadier figure.
    Each child reports its own peak memory (pipeline.memory.peak_memory_mb): the figure the parent
    could read (wait4's ru_maxrss) also counts the parent's memory at the time it started it.
    """
    with log.open("w") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = exit_code = os.waitstatus_to_exitcode(status)
    if exit_code != 0:
        raise RuntimeError(f"{' '.join(command[1:4])} failed (exit {exit_code});"
                           f" its output is in {log}")
    return round(seconds, 3), round(usage.ru_utime + usage.ru_stime, 3)


# ---- the sample ----------------------------------------------------------------------------

def label(scale: float, shape: str = DEFAULT_SHAPE) -> str:
    """Return the name the bench gives the files of a scale and shape: scale-K, SHAPE-scale-K."""
    return f"scale-{scale:g}" if shape == DEFAULT_SHAPE else f"{shape}-scale-{scale:g}"


def sample_dir(out: Path, scale: float, shape: str = DEFAULT_SHAPE) -> Path:
    """Return the folder the bench keeps the sample of a scale and shape in."""
    return out / f"sample-{label(scale, shape)}"


def ensure_sample(out: Path, scale: float, seed: int, shape: str = DEFAULT_SHAPE
                  ) -> dict[str, Any]:
    """Return what the sample at this scale holds, writing it first unless already there."""
    folder = sample_dir(out, scale, shape)
    stamp = folder / SAMPLE_STAMP
    if stamp.exists():
        known = json.loads(stamp.read_text())
        if (known.get("seed"), known.get("scale"), known.get("shape", DEFAULT_SHAPE)) == (
                seed, scale, shape):
            return {**known, "reused": True}
    seconds, _ = timed_child([sys.executable, "-m", "pipeline.cli", "sample", "--out", str(folder),
                           "--seed", str(seed), "--scale", str(scale), "--shape", shape],
                          out / "logs" / f"sample-{label(scale, shape)}.log")
    files = discover(folder)
    described = {
        "path": str(folder), "seed": seed, "scale": scale, "shape": shape,
        "seconds": round(seconds, 1),
        "files": len(files), "rows": extract_rows(files),
        "megabytes": round(sum(file.path.stat().st_size for file in files) / 2**20, 1),
    }
    stamp.write_text(json.dumps(described, indent=2) + "\n")
    return {**described, "reused": False}


def extract_rows(files: list[Any]) -> int:
    """Return how many data rows extract files hold (header rows not counted)."""
    total = 0
    for file in files:
        suffix = file.path.suffix.lower()
        if suffix == ".xlsx":
            total += pl.read_excel(file.path, infer_schema_length=0).height
        elif suffix == ".parquet":
            total += pl.scan_parquet(file.path).select(pl.len()).collect().item()
        else:
            total += pl.scan_csv(file.path, infer_schema=False, encoding="utf8-lossy",
                                 truncate_ragged_lines=True).select(pl.len()).collect().item()
    return total


# ---- the floor -----------------------------------------------------------------------------

def read_as_text(connection: duckdb.DuckDBPyConnection, path: Path, table: str,
                 scratch: Path) -> None:
    """Create `table` holding a file's rows with every column as text, as DuckDB reads it.

    A CSV that is not UTF-8 is re-encoded first (as the pipeline's reader decodes cp1252);
    a workbook, which DuckDB cannot read without its excel extension, goes through polars.
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        connection.execute(f"create table {table} as select columns(*)::{TEXT}"
                           " from read_parquet(?)", [str(path)])
    elif suffix == ".xlsx":
        frame = pl.read_excel(path, infer_schema_length=0)
        connection.register("workbook", frame)
        connection.execute(f"create table {table} as select * from workbook")
        connection.unregister("workbook")
    else:
        content = path.read_bytes()
        try:
            content.decode("utf-8")
            source = path
        except UnicodeDecodeError:
            source = scratch / f"{table}.csv"
            source.write_bytes(content.decode("cp1252", errors="replace").encode("utf-8"))
        connection.execute(f"create table {table} as select * from read_csv(?, all_varchar=true,"
                           " header=true, strict_mode=false, null_padding=true)", [str(source)])


def floor(input_dir: Path, database: Path) -> float:
    """Return the seconds DuckDB takes to read every extract under input_dir once, as text."""
    started = time.perf_counter()
    scratch = database.with_name(database.name + ".scratch")
    scratch.mkdir(exist_ok=True)
    connection = duckdb.connect(str(database))
    try:
        for index, file in enumerate(discover(input_dir)):
            read_as_text(connection, file.path, f"extract_{index}", scratch)
        connection.execute("checkpoint")
    finally:
        connection.close()
        for leftover in scratch.iterdir():
            leftover.unlink()
        scratch.rmdir()
    return round(time.perf_counter() - started, 3)


# ---- the runs ------------------------------------------------------------------------------

def _remove_warehouse(path: Path) -> None:
    """Remove a warehouse file and what DuckDB and a run leave beside it."""
    for suffix in ("", ".wal", ".lock", ".building", ".building.wal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def measure_floor(sample: Path, out: Path, name: str) -> dict[str, Any]:
    """Return the floor's wall seconds, its seconds inside the process and its peak memory."""
    database = out / f"floor-{name}.duckdb"
    measured = out / f"floor-{name}.json"
    _remove_warehouse(database)
    seconds, cpu_seconds = timed_child([sys.executable, "-m", "pipeline.bench", "floor",
                                        str(sample), str(database), str(measured)],
                                       out / "logs" / "floor.log")
    _remove_warehouse(database)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, **json.loads(measured.read_text())}


def measure_run(sample: Path, warehouse: Path, out: Path, name: str) -> dict[str, Any]:
    """Return a `workvalue run`'s wall seconds, peak memory and phase timings."""
    timings = out / f"{name}.timings.json"
    seconds, cpu_seconds = timed_child(
        [sys.executable, "-m", "pipeline.cli", "run", "--input", str(sample), "--warehouse",
         str(warehouse), "--timings", str(timings)], out / "logs" / f"{name}.log")
    report = json.loads(timings.read_text())
    phases = {"startup": round(seconds - report["seconds"], 3), **report["phases"]}
    return {**report, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "inner_seconds": report["seconds"], "phases": phases}


def measure_rules(warehouse: Path, out: Path, name: str) -> dict[str, Any]:
    """Return the check stage run alone on a copy of a built warehouse: its wall seconds, each
    rule's seconds and the process's peak memory."""
    copy = out / f"rules-{name}.duckdb"
    measured = out / f"rules-{name}.json"
    _remove_warehouse(copy)
    shutil.copyfile(warehouse, copy)
    try:
        seconds, cpu_seconds = timed_child([sys.executable, "-m", "pipeline.bench", "rules",
                                            str(copy), str(measured)],
                                           out / "logs" / f"rules-{name}.log")
    finally:
        _remove_warehouse(copy)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, **json.loads(measured.read_text())}


def check_alone(warehouse: Path) -> dict[str, Any]:
    """Return the seconds of each rule when the check stage runs on a built warehouse."""
    from pipeline import check
    from pipeline import warehouse as wh

    seconds: dict[str, float] = {}
    connection = wh.connect(warehouse)
    try:
        started = time.perf_counter()
        check.run_checks(connection, on_rule=lambda rule, took: seconds.update(
            {rule: round(took, 3)}))
        total = round(time.perf_counter() - started, 3)
    finally:
        connection.close()
    return {"inner_seconds": total, "rules": seconds}


# ---- the whole bench -----------------------------------------------------------------------

def machine() -> dict[str, Any]:
    """Return what the figures were measured on."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    validator = importlib.util.find_spec("great_expectations")
    compiled = bool(validator and validator.origin and Path(
        importlib.util.cache_from_source(validator.origin)).exists())
    return {"cpus": os.cpu_count(), "memory_gb": round(memory, 1),
            "bytecode_compiled": compiled,  # without it, importing Great Expectations takes 8 s
            "platform": platform.platform(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "polars": pl.__version__,
            "load_average": [round(value, 2) for value in os.getloadavg()]}


def best(measured: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the fastest of repeated measurements, with every repeat's seconds beside it."""
    fastest = min(measured, key=lambda one: one["seconds"])
    return {**fastest, "repeats": [one["seconds"] for one in measured]}


def run_bench(out: Path, scale: float = 1.0, seed: int = 42, dashboard: bool = True,
              repeat: int = 1, shape: str = DEFAULT_SHAPE) -> dict[str, Any]:
    """Return the bench report at a scale and shape, written to OUT/bench-NAME.json and .md
    (NAME: `label`).

    With repeat > 1 the floor, the run and the rerun are each measured that many times, in
    turn, and the fastest of each is kept (a machine shared with other work is noisy).
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(exist_ok=True)
    name = label(scale, shape)
    sample = ensure_sample(out, scale, seed, shape)
    folder = Path(sample["path"])
    warehouse = out / f"bench-{name}.duckdb"
    report: dict[str, Any] = {"scale": scale, "shape": shape, "seed": seed,
                              "measured_at": time.strftime("%Y-%m-%d %H:%M"),
                              "machine": machine(), "sample": sample}
    measured: dict[str, list[dict[str, Any]]] = {"floor": [], "run": [], "rerun": []}
    for _ in range(max(repeat, 1)):
        measured["floor"].append(measure_floor(folder, out, name))
        _remove_warehouse(warehouse)
        measured["run"].append(measure_run(folder, warehouse, out, f"run-{name}"))
        measured["rerun"].append(measure_run(folder, warehouse, out, f"rerun-{name}"))
    for kind, repeats in measured.items():
        report[kind] = best(repeats)
    for kind in ("run", "rerun"):
        for measure, ratio in RATIOS:
            report[kind][ratio] = round(report[kind][measure] / report["floor"][measure], 2)
    report["check_alone"] = measure_rules(warehouse, out, name)
    report["targets"] = {"ratio_to_floor": RATIO_TARGET, "dashboard_page_ms": DASHBOARD_TARGET_MS}
    if dashboard:
        report["dashboard"] = time_dashboard(warehouse)
    report["machine"]["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    (out / f"bench-{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"bench-{name}.md").write_text(markdown(report))
    save_chart([json.loads(path.read_text()) for path in sorted(out.glob("bench-*scale-*.json"))],
               out / "bench.png")
    return report


def main(arguments: list[str]) -> None:
    """Run one measured step in this process: `python -m pipeline.bench floor INPUT DATABASE
    JSON` (the floor) or `python -m pipeline.bench rules WAREHOUSE JSON` (the check stage)."""
    if len(arguments) == 4 and arguments[0] == "floor":
        measured = {"inner_seconds": floor(Path(arguments[1]), Path(arguments[2]))}
    elif len(arguments) == 3 and arguments[0] == "rules":
        measured = check_alone(Path(arguments[1]))
    else:
        raise SystemExit("usage: python -m pipeline.bench floor INPUT DATABASE SECONDS_JSON\n"
                         "       python -m pipeline.bench rules WAREHOUSE SECONDS_JSON")
    Path(arguments[-1]).write_text(json.dumps({**measured, "peak_mb": peak_memory_mb()}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
