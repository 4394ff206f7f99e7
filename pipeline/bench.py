"""Bench: what `workvalue run` costs at a scale, measured against the floor on the same machine.

`workvalue bench --scale K [--out DIR]` writes the sample at scale K to DIR/sample-scale-K (or
reuses it), then runs, each in its own process, which reports its own peak memory:

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
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.read import discover
from pipeline.run import peak_memory_mb

SAMPLE_STAMP = "bench-sample.json"  # written last: a sample folder without it is incomplete
DASHBOARD_TARGET_MS = 500  # a page's queries, cold
RATIO_TARGET = 8  # the whole run, against the floor
PHASE_COLUMNS = ("startup", "open", "read", "stage", "validate", "load", "score", "check",
                 "publish", "commit")
TEXT = "varchar"


def timed_child(command: list[str], log: Path) -> float:
    """Return the wall seconds of a command run in a new process, its output kept in `log`.

    Each child reports its own peak memory (pipeline.run.peak_memory_mb): the figure the parent
    could read (wait4's ru_maxrss) also counts the parent's memory at the time it started it.
    """
    with log.open("w") as output:
        started = time.perf_counter()
        exit_code = subprocess.call(command, stdout=output, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
    if exit_code != 0:
        raise RuntimeError(f"{' '.join(command[1:4])} failed (exit {exit_code});"
                           f" its output is in {log}")
    return round(seconds, 3)


# ---- the sample ----------------------------------------------------------------------------

def sample_dir(out: Path, scale: float) -> Path:
    """Return the folder the bench keeps the sample of a scale in."""
    return out / f"sample-scale-{scale:g}"


def ensure_sample(out: Path, scale: float, seed: int) -> dict[str, Any]:
    """Return what the sample at this scale holds, writing it first unless already there."""
    folder = sample_dir(out, scale)
    stamp = folder / SAMPLE_STAMP
    if stamp.exists():
        known = json.loads(stamp.read_text())
        if known.get("seed") == seed and known.get("scale") == scale:
            return {**known, "reused": True}
    seconds = timed_child([sys.executable, "-m", "pipeline.cli", "sample", "--out", str(folder),
                           "--seed", str(seed), "--scale", str(scale)],
                          out / "logs" / f"sample-scale-{scale:g}.log")
    files = discover(folder)
    described = {
        "path": str(folder), "seed": seed, "scale": scale, "seconds": round(seconds, 1),
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


def measure_floor(sample: Path, out: Path, scale: float) -> dict[str, Any]:
    """Return the floor's wall seconds, its seconds inside the process and its peak memory."""
    database = out / f"floor-scale-{scale:g}.duckdb"
    measured = out / f"floor-scale-{scale:g}.json"
    _remove_warehouse(database)
    seconds = timed_child([sys.executable, "-m", "pipeline.bench", "floor", str(sample),
                           str(database), str(measured)], out / "logs" / "floor.log")
    _remove_warehouse(database)
    return {"seconds": seconds, **json.loads(measured.read_text())}


def measure_run(sample: Path, warehouse: Path, out: Path, name: str) -> dict[str, Any]:
    """Return a `workvalue run`'s wall seconds, peak memory and phase timings."""
    timings = out / f"{name}.timings.json"
    seconds = timed_child([sys.executable, "-m", "pipeline.cli", "run", "--input", str(sample),
                           "--warehouse", str(warehouse), "--timings", str(timings)],
                          out / "logs" / f"{name}.log")
    report = json.loads(timings.read_text())
    phases = {"startup": round(seconds - report["seconds"], 3), **report["phases"]}
    return {**report, "seconds": seconds, "inner_seconds": report["seconds"], "phases": phases}


# ---- the dashboard -------------------------------------------------------------------------

@dataclass(frozen=True)
class Picks:
    """What the timed pages are shown: the default filters and a visitor's first choices."""

    filters: Any  # dashboards.filters.Filters: the newest snapshot, nothing else chosen
    previous: Any  # the same filters on the snapshot before, or None
    agency: Any  # the default filters with the agency of the most positions chosen
    flag: tuple[str, str, str, str] | None  # a flagged position: snapshot, jurisdiction, ...
    year: str | None
    cycle: str | None


PageQuery = tuple[str, Callable[[duckdb.DuckDBPyConnection, Picks], object]]


def dashboard_pages() -> dict[str, list[PageQuery]]:
    """Return each page's queries in the order its view (dashboards/views/) asks them."""
    from dashboards import queries as q

    def drill(query: Callable[..., object]) -> Callable[[duckdb.DuckDBPyConnection, Picks],
                                                        object]:
        return lambda c, p: query(c, *p.flag) if p.flag else None

    return {
        "sidebar (every page)": [
            ("available_tables", lambda c, p: q.available_tables(c)),
            ("filter_options", lambda c, p: q.filter_options(c))],
        "overview": [
            ("headline_counts", lambda c, p: q.headline_counts(c, p.filters)),
            ("previous_snapshot", lambda c, p: q.previous_snapshot(c, p.filters.snapshot_date)),
            ("headline_counts (previous)",
             lambda c, p: q.headline_counts(c, p.previous) if p.previous else None),
            ("flag_counts", lambda c, p: q.flag_counts(c, p.filters)),
            ("changes_since_previous", lambda c, p: q.changes_since_previous(c, p.filters)),
            ("change_summary", lambda c, p: q.change_summary(c, p.filters)),
            ("data_quality_glance", lambda c, p: q.data_quality_glance(c))],
        "outliers": [
            ("flag_rule_ids", lambda c, p: q.flag_rule_ids(c, p.filters)),
            ("flag_list", lambda c, p: q.flag_list(c, p.filters, (), (), ()))],
        "outliers: one flag's drill-down": [
            ("position_detail", drill(q.position_detail)),
            ("position_score", drill(q.position_score)),
            ("factor_profile", drill(q.factor_profile)),
            ("reporting_chain", drill(q.reporting_chain)),
            ("determination_history",
             lambda c, p: q.determination_history(c, *p.flag[1:]) if p.flag else None),
            ("factor_evidence", drill(q.factor_evidence))],
        "band distribution": [
            ("band_mix", lambda c, p: q.band_mix(c, p.filters)),
            ("band_mix_by_agency", lambda c, p: q.band_mix_by_agency(c, p.filters))],
        "comparability": [
            ("points_distribution (agency)",
             lambda c, p: q.points_distribution(c, p.filters, "agency")),
            ("band_ranges", lambda c, p: q.band_ranges(c)),
            ("flag_list (agency_band_drift)",
             lambda c, p: q.flag_list(c, p.filters, (), ("agency_band_drift",))),
            ("agency_structure", lambda c, p: q.agency_structure(c, p.filters)),
            ("span_of_control", lambda c, p: q.span_of_control(c, p.filters)),
            ("points_distribution (jurisdiction)",
             lambda c, p: q.points_distribution(c, p.filters, "jurisdiction"))],
        "SES structure": [
            ("band_pyramid", lambda c, p: q.band_pyramid(c, p.filters)),
            ("agency_structure", lambda c, p: q.agency_structure(c, p.filters)),
            ("executive_vacancies", lambda c, p: q.executive_vacancies(c, p.filters)),
            ("tier_trend", lambda c, p: q.tier_trend(c, p.filters))],
        "SES structure: one agency": [
            ("band_pyramid", lambda c, p: q.band_pyramid(c, p.agency)),
            ("agency_structure", lambda c, p: q.agency_structure(c, p.agency)),
            ("executive_tree", lambda c, p: q.executive_tree(c, p.agency)),
            ("executive_vacancies", lambda c, p: q.executive_vacancies(c, p.agency)),
            ("tier_trend", lambda c, p: q.tier_trend(c, p.agency))],
        "performance": [
            ("maturity_years", lambda c, p: q.maturity_years(c)),
            ("maturity_matrix", lambda c, p: q.maturity_matrix(c, p.filters, p.year)),
            ("rating_cycles", lambda c, p: q.rating_cycles(c)),
            ("rating_distribution", lambda c, p: q.rating_distribution(c, p.filters, p.cycle)),
            ("overall_rating_by_agency",
             lambda c, p: q.overall_rating_by_agency(c, p.filters, p.cycle))],
        "data quality": [
            ("validation_results", lambda c, p: q.validation_results(c)),
            ("load_audit", lambda c, p: q.load_audit(c)),
            ("quarantine_reasons", lambda c, p: q.quarantine_reasons(c)),
            ("quarantine_rows", lambda c, p: q.quarantine_rows(c, 500)),
            ("unmapped_spellings", lambda c, p: q.unmapped_spellings(c))],
    }


def dashboard_picks(connection: duckdb.DuckDBPyConnection) -> Picks:
    """Return the filters and choices a first visit to each page makes."""
    from dashboards import queries as q
    from dashboards.filters import Filters

    options = q.filter_options(connection)
    filters = Filters(snapshot_date=options.latest_snapshot)
    previous = q.previous_snapshot(connection, filters.snapshot_date)
    largest = connection.execute(
        "select agency_code from positions where snapshot_date = ?::date group by agency_code"
        " order by count(*) desc, agency_code limit 1", [filters.snapshot_date]).fetchall()
    flags = q.flag_list(connection, filters, (), (), ()).filter(
        pl.col("position_id").is_not_null())
    flag = (tuple(flags.select("snapshot_date", "jurisdiction", "agency_code", "position_id")
                  .row(0)) if flags.height else None)
    years, cycles = q.maturity_years(connection), q.rating_cycles(connection)
    return Picks(filters, replace(filters, snapshot_date=previous) if previous else None,
                 replace(filters, agency_code=largest[0][0]) if largest else filters,
                 flag, years[0] if years else None, cycles[0] if cycles else None)


def _timed_ms(page_queries: list[PageQuery], connection: duckdb.DuckDBPyConnection,
              picks: Picks) -> list[float]:
    """Return how many milliseconds each of a page's queries took, in order."""
    timings = []
    for _, query in page_queries:
        started = time.perf_counter()
        query(connection, picks)
        timings.append(round((time.perf_counter() - started) * 1000, 1))
    return timings


def time_dashboard(warehouse: Path) -> dict[str, Any]:
    """Return, per page, each query's milliseconds cold and warm, and the page's totals."""
    from pipeline import warehouse as wh

    connection = wh.connect(warehouse, read_only=True)
    try:
        picks = dashboard_picks(connection)
    finally:
        connection.close()
    pages: dict[str, Any] = {}
    for page, page_queries in dashboard_pages().items():
        connection = wh.connect(warehouse, read_only=True)
        try:
            cold = _timed_ms(page_queries, connection, picks)
            warm = _timed_ms(page_queries, connection, picks)
        finally:
            connection.close()
        pages[page] = {
            "cold_ms": round(sum(cold), 1), "warm_ms": round(sum(warm), 1),
            "queries": {name: {"cold_ms": c, "warm_ms": w}
                        for (name, _), c, w in zip(page_queries, cold, warm, strict=True)}}
    return {"target_ms": DASHBOARD_TARGET_MS, "pages": pages}


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
              repeat: int = 1) -> dict[str, Any]:
    """Return the bench report at a scale, written to OUT/bench-scale-K.json and .md.

    With repeat > 1 the floor, the run and the rerun are each measured that many times, in
    turn, and the fastest of each is kept (a machine shared with other work is noisy).
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(exist_ok=True)
    sample = ensure_sample(out, scale, seed)
    folder = Path(sample["path"])
    warehouse = out / f"bench-scale-{scale:g}.duckdb"
    report: dict[str, Any] = {"scale": scale, "seed": seed,
                              "measured_at": time.strftime("%Y-%m-%d %H:%M"),
                              "machine": machine(), "sample": sample}
    measured: dict[str, list[dict[str, Any]]] = {"floor": [], "run": [], "rerun": []}
    for _ in range(max(repeat, 1)):
        measured["floor"].append(measure_floor(folder, out, scale))
        _remove_warehouse(warehouse)
        measured["run"].append(measure_run(folder, warehouse, out, f"run-scale-{scale:g}"))
        measured["rerun"].append(measure_run(folder, warehouse, out, f"rerun-scale-{scale:g}"))
    for name, repeats in measured.items():
        report[name] = best(repeats)
    for name in ("run", "rerun"):
        report[name]["ratio_to_floor"] = round(
            report[name]["seconds"] / report["floor"]["seconds"], 2)
    report["targets"] = {"ratio_to_floor": RATIO_TARGET, "dashboard_page_ms": DASHBOARD_TARGET_MS}
    if dashboard:
        report["dashboard"] = time_dashboard(warehouse)
    report["machine"]["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    (out / f"bench-scale-{scale:g}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"bench-scale-{scale:g}.md").write_text(markdown(report))
    save_chart([json.loads(path.read_text()) for path in sorted(out.glob("bench-scale-*.json"))],
               out / "bench.png")
    return report


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Return the bench's figures in a few lines for the terminal."""
    floor_, run, rerun = report["floor"], report["run"], report["rerun"]
    lines = [f"scale {report['scale']:g}: {report['sample']['rows']:,} extract rows in "
             f"{report['sample']['files']} files ({report['sample']['megabytes']} MB)",
             f"floor  {floor_['seconds']:7.1f} s  peak {floor_['peak_mb']:6.0f} MB",
             f"run    {run['seconds']:7.1f} s  peak {run['peak_mb']:6.0f} MB  "
             f"{run['ratio_to_floor']:.1f}x the floor",
             f"rerun  {rerun['seconds']:7.1f} s  peak {rerun['peak_mb']:6.0f} MB  "
             f"{rerun['ratio_to_floor']:.1f}x the floor",
             "phases: " + ", ".join(f"{name} {seconds:.1f}"
                                    for name, seconds in run["phases"].items())]
    for page, timing in report.get("dashboard", {}).get("pages", {}).items():
        lines.append(f"page {page}: {timing['cold_ms']:.0f} ms cold, {timing['warm_ms']:.0f} ms"
                     " warm")
    return lines


def markdown(report: dict[str, Any]) -> str:
    """Return the report as markdown tables: the runs beside the floor, then the pages."""
    rows = [("floor (DuckDB reads the files as text)", report["floor"], {}),
            ("`workvalue run`, new warehouse", report["run"], report["run"]["phases"]),
            ("`workvalue run` again, files unchanged", report["rerun"],
             report["rerun"]["phases"])]
    lines = [f"### Scale {report['scale']:g}: {report['sample']['rows']:,} extract rows, "
             f"{report['sample']['files']} files, {report['sample']['megabytes']} MB",
             "", f"Measured {report['measured_at']} on {report['machine']['cpus']} CPUs, "
             f"{report['machine']['memory_gb']} GB (load average before "
             f"{report['machine']['load_average'][0]}); the fastest of "
             f"{len(report['run'].get('repeats', [1]))} measurement(s) of each.", "",
             "| | seconds | x floor | peak MB | " + " | ".join(PHASE_COLUMNS) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(PHASE_COLUMNS)]
    for label, measured, phases in rows:
        ratio = measured.get("ratio_to_floor", 1.0)
        lines.append(f"| {label} | {measured['seconds']:.1f} | {ratio:.1f} | "
                     f"{measured['peak_mb']:.0f} | "
                     + " | ".join(f"{phases[name]:.1f}" if name in phases else ""
                                  for name in PHASE_COLUMNS) + " |")
    pages = report.get("dashboard", {}).get("pages", {})
    if pages:
        lines += ["", "| dashboard page | cold ms | warm ms | slowest query (cold ms) |",
                  "|---|---:|---:|---|"]
        for page, timing in pages.items():
            name, slowest = max(timing["queries"].items(), key=lambda item: item[1]["cold_ms"])
            lines.append(f"| {page} | {timing['cold_ms']:.0f} | {timing['warm_ms']:.0f} | "
                         f"{name} ({slowest['cold_ms']:.0f}) |")
    return "\n".join(lines) + "\n"


def chart(reports: list[dict[str, Any]]) -> Any:
    """Return an Altair chart: each run's seconds by phase beside the floor, and peak memory."""
    import altair as alt

    rows, peaks = [], []
    for report in reports:
        label = f"{report['sample']['rows'] / 1e6:.3g}M rows"
        rows.append({"scale": label, "what": "floor", "phase": "floor",
                     "seconds": report["floor"]["seconds"]})
        for what in ("floor", "run", "rerun"):
            peaks.append({"scale": label, "what": what, "peak_mb": report[what]["peak_mb"]})
        for what in ("run", "rerun"):
            rows += [{"scale": label, "what": what, "phase": phase, "seconds": seconds}
                     for phase, seconds in report[what]["phases"].items()]
    order = ["floor", *PHASE_COLUMNS]
    what = alt.Y("what:N", title=None, sort=["floor", "run", "rerun"])
    seconds = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("sum(seconds):Q", title="seconds"), y=what,
        color=alt.Color("phase:N", sort=order, scale=alt.Scale(scheme="tableau20")),
        order=alt.Order("phase_order:Q"), row=alt.Row("scale:N", title=None),
    ).transform_calculate(
        phase_order=f"indexof({json.dumps(order)}, datum.phase)",
    ).properties(width=520, height=80, title="Seconds by phase, beside the floor"
                 ).resolve_scale(x="independent")
    memory = alt.Chart(alt.Data(values=peaks)).mark_bar().encode(
        x=alt.X("peak_mb:Q", title="peak resident memory (MB)"), y=what,
        color=alt.value("#888"), row=alt.Row("scale:N", title=None),
    ).properties(width=220, height=80, title="Peak memory")
    return alt.hconcat(seconds, memory)


def save_chart(reports: list[dict[str, Any]], path: Path) -> bool:
    """Save the chart as PNG; return False when vl-convert is not installed to render it."""
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        return False
    chart(reports).save(str(path), ppi=144)
    return True


def main(arguments: list[str]) -> None:
    """Run the floor in this process: `python -m pipeline.bench floor INPUT DATABASE JSON`."""
    if len(arguments) != 4 or arguments[0] != "floor":
        raise SystemExit("usage: python -m pipeline.bench floor INPUT DATABASE SECONDS_JSON")
    seconds = floor(Path(arguments[1]), Path(arguments[2]))
    Path(arguments[3]).write_text(json.dumps({"inner_seconds": seconds,
                                              "peak_mb": peak_memory_mb()}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
