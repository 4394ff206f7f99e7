"""Bench: the report's words, tables and chart (pipeline.bench measures, this writes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PHASE_COLUMNS = ("startup", "open", "read", "stage", "validate", "load", "score", "check",
                 "marts", "commit")


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Return the bench's figures in a few lines for the terminal."""
    floor_, run, rerun = report["floor"], report["run"], report["rerun"]
    lines = [f"{shape_name(report)} scale {report['scale']:g}: {report['sample']['rows']:,}"
             " extract rows in "
             f"{report['sample']['files']} files ({report['sample']['megabytes']} MB)",
             f"floor  {floor_['seconds']:7.1f} s  peak {floor_['peak_mb']:6.0f} MB",
             f"run    {run['seconds']:7.1f} s  peak {run['peak_mb']:6.0f} MB  "
             f"{run['ratio_to_floor']:.1f}x the floor"
             f" ({run['cpu_ratio_to_floor']:.1f}x in CPU seconds)",
             f"rerun  {rerun['seconds']:7.1f} s  peak {rerun['peak_mb']:6.0f} MB  "
             f"{rerun['ratio_to_floor']:.1f}x the floor",
             "phases: " + ", ".join(f"{name} {seconds:.1f}"
                                    for name, seconds in run["phases"].items())]
    alone = report.get("check_alone")
    if alone:
        lines.append(f"check alone {alone['seconds']:.1f} s, peak {alone['peak_mb']:.0f} MB; "
                     "slowest rules: " + ", ".join(
                         f"{rule} {seconds:.2f}" for rule, seconds in slowest_rules(alone, 3)))
    for page, timing in report.get("dashboard", {}).get("pages", {}).items():
        lines.append(f"page {page}: {timing['cold_ms']:.0f} ms cold, {timing['warm_ms']:.0f} ms"
                     " warm")
    return lines


def shape_name(report: dict[str, Any]) -> str:
    """Return the sample shape a report measured (reports before shapes measured the sample)."""
    return report.get("shape", "sample")


def slowest_rules(alone: dict[str, Any], count: int | None = None) -> list[tuple[str, float]]:
    """Return (rule, seconds) of the check stage run alone, slowest first."""
    ranked = sorted(alone["rules"].items(), key=lambda item: (-item[1], item[0]))
    return ranked[:count] if count else ranked


def rule_table(alone: dict[str, Any]) -> list[str]:
    """Return the markdown lines of each rule's seconds when the check stage runs alone."""
    lines = ["", f"Check stage alone on the built warehouse: {alone['seconds']:.1f} s, peak "
             f"{alone['peak_mb']:.0f} MB.", "", "| rule | seconds |", "|---|---:|"]
    return lines + [f"| {rule} | {seconds:.2f} |" for rule, seconds in slowest_rules(alone)]


def markdown(report: dict[str, Any]) -> str:
    """Return the report as markdown tables: the runs beside the floor, then the pages."""
    rows = [("floor (DuckDB reads the files as text)", report["floor"], {}),
            ("`workvalue run`, new warehouse", report["run"], report["run"]["phases"]),
            ("`workvalue run` again, files unchanged", report["rerun"],
             report["rerun"]["phases"])]
    lines = [f"### {shape_name(report).capitalize()}, scale {report['scale']:g}: "
             f"{report['sample']['rows']:,} extract rows, "
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
    if report.get("check_alone"):
        lines += rule_table(report["check_alone"])
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
        label = f"{shape_name(report)}, {report['sample']['rows'] / 1e6:.3g}M rows"
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
