"""The `workvalue` command line: run, export, sample, review, evaluate, audit, dashboard, report.

Exit codes (../shared/CONTRACT.md): 0 ran; 2 the input or warehouse cannot be used (one clear
message, no traceback); 1 an internal error. Set WORKVALUE_DEBUG=1 to see an internal error's
traceback.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from pipeline.errors import ReviewError, WorkvalueError
from pipeline.load import FileLoad
from pipeline.notices import notice_lines
from pipeline.read import ExtractFile
from pipeline.review import Decision
from pipeline.run import RunSummary
from pipeline.settings import DATA_DIR

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Consistency analytics for senior executive classifications.")
console = Console()
errors = Console(stderr=True)
T = TypeVar("T")

def _guarded(action: Callable[[], T]) -> T:
    """Return the action's result; turn failures into a message and the contract's exit code."""
    try:
        return action()
    except WorkvalueError as error:
        errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(error.exit_code) from None
    except Exception as error:
        if os.environ.get("WORKVALUE_DEBUG"):
            traceback.print_exc()
        errors.print(f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))}\n"
                     "Please report it; set WORKVALUE_DEBUG=1 to see where it happened.",
                     highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


class ProgressReporter:
    """Draws a progress bar per file on a terminal; prints nothing elsewhere."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def file_started(self, file: ExtractFile, index: int, total: int) -> None:
        """Add a bar for the file."""
        self.tasks[file.name] = self.progress.add_task(
            escape(f"[{index}/{total}] {file.name}"), total=1)

    def file_finished(self, outcome: FileLoad) -> None:
        """Complete the file's bar with its counts (a restaged file not in the input gets one)."""
        if outcome.source_file not in self.tasks:
            self.tasks[outcome.source_file] = self.progress.add_task("", total=1)
        self.progress.update(
            self.tasks[outcome.source_file], completed=1,
            description=escape(f"{outcome.source_file}: {outcome.status}, "
                               f"{outcome.rows_loaded:,} loaded, "
                               f"{outcome.rows_quarantined:,} quarantined"))

    def stage_finished(self, name: str, seconds: float) -> None:
        """Add a finished bar for a whole-warehouse stage."""
        self.progress.add_task(f"stage {name} ({seconds:.1f} s)", total=1, completed=1)

    def phase_finished(self, name: str, seconds: float) -> None:
        """Draw nothing: phases are many and short (--timings writes them down)."""


def summary_lines(summary: RunSummary) -> list[str]:
    """Return the plain end-of-run summary: one line per file, then the totals."""
    lines = []
    for outcome in summary.files:
        notes = f" ({'; '.join(outcome.notes)})" if outcome.notes else ""
        if outcome.status == "unchanged":
            lines.append(f"{outcome.source_file}: unchanged: loaded before "
                         f"({outcome.rows_read:,} rows), nothing added{notes}")
            continue
        lines.append(f"{outcome.source_file}: {outcome.status}: {outcome.rows_read:,} read, "
                     f"{outcome.rows_loaded:,} loaded, {outcome.rows_quarantined:,} "
                     f"quarantined{notes}")
    unchanged = sum(1 for f in summary.files if f.status == "unchanged")
    lines.append(f"{len(summary.files)} files ({unchanged} unchanged): "
                 f"{summary.rows_read:,} rows read, {summary.rows_loaded:,} loaded, "
                 f"{summary.rows_quarantined:,} quarantined in {summary.seconds:.1f} s")
    return lines + notice_lines(summary.unrecognised, summary.findings)


@app.command()
def run(
    input: Annotated[Path, typer.Option("--input", help="Folder of extract files.")],
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    snapshot_date: Annotated[str | None, typer.Option(
        "--snapshot-date", help="As-at date (YYYY-MM-DD) for files that carry none.")] = None,
    include_names: Annotated[bool, typer.Option(
        "--include-names", help="Load personal names where a source has them.",
        metavar="")] = False,
    timings: Annotated[Path | None, typer.Option(
        "--timings", help="Write the seconds of each phase and stage to this JSON file.")] = None,
    allow_outside_input: Annotated[bool, typer.Option(
        "--allow-outside-input", help="Read links under INPUT that lead to files outside it.",
        metavar="")] = False,
) -> None:
    """Load every extract under INPUT into the warehouse, then score, check and publish."""
    import json

    from pipeline.read import ReadOptions
    from pipeline.run import PhaseTimes, run_pipeline

    options = ReadOptions(snapshot_date=snapshot_date, include_names=include_names,
                          allow_outside_input=allow_outside_input)

    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                        console=console, disable=not console.is_terminal)

    reporter = PhaseTimes(ProgressReporter(progress))

    def action() -> RunSummary:
        with progress:
            return run_pipeline(input, warehouse, reporter, read_options=options)

    summary = _guarded(action)
    if timings is not None:
        timings.write_text(json.dumps(reporter.report(summary), indent=2) + "\n")
    for line in summary_lines(summary):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


@app.command()
def export(
    table: Annotated[str, typer.Argument(help="Table to export, e.g. flags or positions.")],
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    output: Annotated[Path, typer.Option("--output", help="File ending .csv, .xlsx or .parquet.")],
) -> None:
    """Export a warehouse table; spreadsheet formulas are escaped in CSV and XLSX.

    Each export is recorded (who, when, what) in the warehouse's audit file, FILE.audit.jsonl.
    """
    from pipeline.publish import export_warehouse_table

    rows = _guarded(lambda: export_warehouse_table(warehouse, table, output))
    console.print(f"wrote {rows:,} rows of {table} to {output}", highlight=False, markup=False,
                  soft_wrap=True)


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the extracts to.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 42,
    scale: Annotated[float, typer.Option("--scale", help="Size multiplier (1 = demo).")] = 1.0,
    shape: Annotated[str, typer.Option(
        "--shape", help="sample (14 agencies) or many-agencies (about a thousand small ones, "
        "four shared evaluators).")] = "sample",
) -> None:
    """Write the bundled sample extracts, with planted inconsistencies and their labels."""
    from samplegen import write_sample

    result = _guarded(lambda: write_sample(out, seed=seed, scale=scale, data_dir=DATA_DIR,
                                           shape=shape))
    for name, rows in result.rows.items():
        console.print(f"{name}: {rows:,} rows", highlight=False, markup=False)
    planted = ", ".join(f"{rule} {count}" for rule, count in sorted(result.planted.items()))
    console.print(f"wrote {len(result.files)} files to {result.out_dir}; planted: {planted}; "
                  f"rows to quarantine: {result.quarantined}", highlight=False, soft_wrap=True)


@app.command()
def bench(
    scale: Annotated[float, typer.Option("--scale", help="Sample size (100 = a million rows).")
                     ] = 1.0,
    out: Annotated[Path, typer.Option(
        "--out", help="Folder for the sample, warehouse and report.")] = Path("build/bench"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sample.")] = 42,
    dashboard: Annotated[bool, typer.Option(
        "--dashboard/--no-dashboard", help="Time the dashboard's queries too.")] = True,
    repeat: Annotated[int, typer.Option(
        "--repeat", help="Measure each this many times; keep the fastest.")] = 1,
    shape: Annotated[str, typer.Option(
        "--shape", help="The sample's shape: sample or many-agencies.")] = "sample",
) -> None:
    """Time `workvalue run` at a scale against the floor; write OUT/bench-scale-K.json and .md."""
    from pipeline.bench import run_bench, summary_lines

    report = _guarded(lambda: run_bench(out, scale=scale, seed=seed, dashboard=dashboard,
                                        repeat=repeat, shape=shape))
    for line in summary_lines(report):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


@app.command()
def review(
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    flag: Annotated[str | None, typer.Argument(help="Flag key (or 8+ character prefix).")] = None,
    decision: Annotated[Decision | None, typer.Option(
        "--decision", help="justified (accepted as is) or act (to fix).")] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides.")] = "",
    limit: Annotated[int, typer.Option("--limit", help="Open flags to list.")] = 50,
) -> None:
    """List open flags, or record a decision on one (the exceptions register)."""
    from pipeline import warehouse as wh
    from pipeline.review import open_flags, record_review_at

    def action() -> list[str]:
        if flag is not None:
            if decision is None:
                raise ReviewError("give --decision justified or --decision act")
            who = reviewer or os.environ.get("USER", "")
            key = record_review_at(warehouse, flag, decision, note, who)
            return [f"recorded: {key} {decision.value} by {who}"]
        connection = wh.connect(warehouse, read_only=True)
        try:
            rows = open_flags(connection, limit).iter_rows()
            return [f"{key[:12]}  {severity:<6} {rule:<26} {agency}/{position or '-'}: "
                    f"{message}" for key, severity, rule, agency, position, message in rows]
        finally:
            connection.close()

    for line in _guarded(action):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


@app.command()
def evaluate(
    labels: Annotated[Path, typer.Option("--labels", help="expected_flags.csv of the sample.")],
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    show_misses: Annotated[bool, typer.Option("--show-misses", help="List every miss.")] = False,
) -> None:
    """Report recall and precision of the flags per rule against labelled plants."""
    from pipeline import evaluate as evaluation
    from pipeline import warehouse as wh

    def action() -> tuple[object, object]:
        expected = evaluation.read_labels(labels)
        connection = wh.connect(warehouse, read_only=True)
        try:
            return (evaluation.evaluate(connection, expected),
                    evaluation.misses(connection, expected) if show_misses else None)
        finally:
            connection.close()

    scores, missed = _guarded(action)
    with pl_config():
        console.print(str(scores), highlight=False, markup=False)
        if missed is not None:
            console.print(str(missed), highlight=False, markup=False)


@app.command()
def audit(
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    output: Annotated[Path | None, typer.Option(
        "--output", help="Write the trail to a file ending .csv, .xlsx or .parquet.")] = None,
) -> None:
    """List every load, review decision and export of the warehouse: who, when, what."""
    from pipeline.audit import read_trail, trail_lines, write_trail

    def action() -> list[str]:
        frame = read_trail(warehouse)
        if output is None:
            return trail_lines(frame)
        write_trail(frame, warehouse, output)
        return [f"wrote {frame.height:,} audit rows to {output}"]

    for line in _guarded(action):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


@app.command()
def dashboard(
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
    agency: Annotated[str | None, typer.Option(
        "--agency", help="Show one agency only (its code): nothing of any other is served.")
    ] = None,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; another than 127.0.0.1 opens the dashboard to"
        " other machines: put it behind your organisation's sign-on proxy.")] = "127.0.0.1",
) -> None:
    """Serve the Streamlit dashboard on the warehouse (opened read-only)."""
    from pipeline import serve

    _guarded(lambda: serve.check_servable(warehouse, agency))
    raise typer.Exit(serve.serve(serve.streamlit_command(warehouse, port, host, agency)))


@app.command()
def report(
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB warehouse file.")],
    output: Annotated[Path, typer.Option("--output", help="File ending .html or .pdf.")],
    agency: Annotated[str | None, typer.Option(
        "--agency", help="One agency's report (its code); others appear only combined.")] = None,
    snapshot: Annotated[str | None, typer.Option(
        "--snapshot", help="Snapshot date (YYYY-MM-DD); the newest by default.")] = None,
) -> None:
    """Write a benchmarking report (commission-wide without --agency), recorded in the audit."""
    from pipeline.report.build import make_report

    made = _guarded(lambda: make_report(warehouse, output, agency, snapshot))
    console.print(f"wrote the {made.agency or 'commission-wide'} report of snapshot "
                  f"{made.snapshot_date} to {made.output}", highlight=False, markup=False,
                  soft_wrap=True)


def pl_config() -> object:
    """Return a polars display config that prints whole tables."""
    import polars as pl

    return pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=200, fmt_str_lengths=60)


def main() -> None:
    """Run the command line (the `workvalue` entry point)."""
    app()


if __name__ == "__main__":
    main()
