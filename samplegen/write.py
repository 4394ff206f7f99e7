"""Writing the sample's extracts in the contract's columns and each jurisdiction's format.

Formats are mixed on purpose at scale 1 and below (CSV with a BOM, cp1252 CSV, xlsx, Parquet
with upper-case headers, day-first dates, `$1,200,000` budgets); above scale 1 `xlsx` gives way
to CSV because spreadsheets are slow to write. Every writer is byte-deterministic: the xlsx
creation time is the latest snapshot date, never the clock.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import xlsxwriter

from samplegen.frameworks import Frameworks, code_family, spell
from samplegen.plants.points_arithmetic import RECORDED_OFFSET

POSITION_COLUMNS = ["snapshot_date", "jurisdiction", "agency_code", "agency_name", "position_id",
                    "position_title", "classification", "stream", "reports_to_position_id",
                    "occupancy", "fte", "staff_managed", "budget_managed", "locations",
                    "planning_horizon_years", "position_description"]
DETERMINATION_HEAD = ["determination_id", "jurisdiction", "agency_code", "position_id",
                      "decision_date", "determined_classification", "method", "evaluator"]
PERFORMANCE_COLUMNS = ["cycle", "jurisdiction", "agency_code", "position_id", "outcomes_rating",
                       "behaviours_rating", "overall_rating"]
DAY_FIRST = "%d/%m/%Y"


def _agency_flags(fw: Frameworks) -> pl.DataFrame:
    """Return per agency how it writes dates, budgets and recorded totals."""
    return pl.DataFrame([{"agency_code": a["code"],
                          "day_first": bool(a.get("day_first_dates", False)),
                          "budget_as_text": bool(a.get("budget_as_text", False)),
                          "total_points_share": float(a.get("total_points_share", 0.0))}
                         for a in fw.config["agencies"]])


def _dollars(column: str) -> pl.Expr:
    """Return the column as `$1,234,000` text."""
    digits = pl.col(column).round(0).cast(pl.Int64).cast(pl.String)
    grouped = digits.str.reverse().str.replace_all(r"(\d{3})", "$1,").str.strip_chars_end(",")
    return pl.concat_str(pl.lit("$"), grouped.str.reverse())


def _as_text(frame: pl.DataFrame, date_columns: list[str]) -> pl.DataFrame:
    """Return the frame with dates (day-first where the agency writes so) and budgets as text."""
    out = frame.with_columns(
        pl.when(pl.col("day_first")).then(pl.col(c).dt.strftime(DAY_FIRST))
        .otherwise(pl.col(c).dt.strftime("%Y-%m-%d")).alias(c) for c in date_columns)
    if "budget_managed" in frame.columns and frame["budget_as_text"].any():
        plain = pl.col("budget_managed").round(0).cast(pl.Int64).cast(pl.String)
        out = out.with_columns(budget_managed=pl.when(pl.col("budget_as_text"))
                               .then(_dollars("budget_managed")).otherwise(plain))
    return out


def positions_frame(snapshots: dict[str, pl.DataFrame], fw: Frameworks) -> pl.DataFrame:
    """Return every position row of both snapshots in the contract's columns (plus flags)."""
    rows = pl.concat([s.select(*POSITION_COLUMNS, "parent_uid")
                      for s in snapshots.values()], how="vertical_relaxed")
    return (rows.join(_agency_flags(fw), on="agency_code", how="left", maintain_order="left")
            .with_columns(budget_managed=pl.col("budget_managed").round(0).cast(pl.Int64),
                          cost_centre=pl.format("CC{}", (pl.col("parent_uid") % 9973 + 10000)))
            .sort("snapshot_date", "agency_code", "position_id"))


def determinations_frame(decisions: pl.DataFrame, fw: Frameworks,
                         rng: np.random.Generator) -> pl.DataFrame:
    """Return the decisions in the contract's columns with ids, spellings and recorded totals."""
    ladders = fw.config["ladders"]
    spelled = {(j, g.code): spell(g.code, fw.config["styles"][lad["determined_style"]])
               for j, lad in ladders.items() for g in fw.grades.values()
               if _spellable(g.code, fw.config["styles"][lad["determined_style"]])}
    key = pl.concat_str("jurisdiction", pl.lit("|"), "determined_code")
    order = decisions.join(_agency_flags(fw), on="agency_code", how="left",
                           maintain_order="left").sort(
        "jurisdiction", "decision_date", "agency_code", "position_id", "determined_code",
        *fw.factors, "evaluator", "reason")
    recorded = pl.Series(rng.random(order.height)) < pl.col("total_points_share")
    seq = (pl.int_range(pl.len()).over("jurisdiction") + 1).cast(pl.String).str.zfill(5)
    return order.with_columns(
        determination_id=pl.concat_str("jurisdiction", pl.lit("-"),
                                       pl.col("decision_date").dt.year().cast(pl.String),
                                       pl.lit("-"), seq),
        determined_classification=key.replace_strict({f"{j}|{c}": t for (j, c), t in
                                                      spelled.items()}),
        method=pl.col("jurisdiction").replace_strict({j: lad["method"] for j, lad in
                                                      ladders.items()}),
        total_points=_recorded_total(order, recorded, fw),
        rationale=pl.concat_str("lead_in", "reason", "closer", separator=" "),
    )


def _recorded_total(decisions: pl.DataFrame, recorded: pl.Expr, fw: Frameworks) -> pl.Expr:
    """Return the total_points an agency records: the sum of the scores where it records one,
    off by a planted `recorded_offset` (samplegen.plants.points_arithmetic) where there is one."""
    total = pl.sum_horizontal(fw.factors)
    if RECORDED_OFFSET not in decisions.columns:
        return pl.when(recorded).then(total)
    offset = pl.col(RECORDED_OFFSET)
    return pl.when(offset.is_not_null()).then(total + offset).when(recorded).then(total)


def _spellable(code: str, style: dict[str, str]) -> bool:
    """Return whether a spelling style has a template for the code's family."""
    return code_family(code)[0] in style


def _write(frame: pl.DataFrame, path: Path, output: dict[str, Any], kind: str,
           stamp: datetime) -> None:
    """Write one extract in the jurisdiction's format."""
    if output.get("upper_case_headers"):
        frame = frame.rename({c: c.upper() for c in frame.columns})
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    elif path.suffix == ".xlsx":
        workbook = xlsxwriter.Workbook(path)
        workbook.set_properties({"created": stamp})
        frame.write_excel(workbook, worksheet=kind, autofilter=False)
        workbook.close()
    elif output.get("encoding", "utf-8") != "utf-8":
        path.write_bytes(frame.write_csv().encode(output["encoding"]))
    else:
        frame.write_csv(path, include_bom=kind in output.get("bom", []))


def write_extracts(out_dir: Path, kind: str, frame: pl.DataFrame, columns: list[str],
                   date_columns: list[str], fw: Frameworks, scale: float) -> dict[str, int]:
    """Write one file per jurisdiction of an extract kind; return rows per file name."""
    written: dict[str, int] = {}
    stamp = datetime.combine(date.fromisoformat(fw.config["snapshots"][-1]), time())
    for jurisdiction in fw.config["jurisdictions"]:
        part = frame.filter(pl.col("jurisdiction") == jurisdiction)
        if part.is_empty():
            continue
        output = fw.config["outputs"][jurisdiction]
        fmt = output["format"] if output["format"] != "xlsx" or scale <= 1 else "csv"
        if fmt == "csv":
            part = _as_text(part, date_columns)
        extra = [c for c in output.get("extra_columns", []) if c in part.columns]
        path = out_dir / f"{kind}_{jurisdiction.lower()}.{fmt}"
        _write(part.select(*columns, *extra), path, output if fmt == output["format"] else {},
               kind, stamp)
        written[path.name] = part.height
    return written
