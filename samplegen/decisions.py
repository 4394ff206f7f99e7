"""Clean determination rows of the sample: one latest decision per executive position, some older.

A position present in both snapshots has its latest decision dated before the first snapshot
(so both snapshots see it); a position created since is decided after the first snapshot. A
share of positions also carries an older decision (superseded) and a share a recent clean
re-decision. Agency heads of the APS and the VPS (code HEAD) are not classified; WA CEOs are.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from samplegen.frameworks import Frameworks
from samplegen.scores import band_limits, evidence_lean, scores_for, spread_totals

EVIDENCE = ["staff_managed", "budget_managed", "locations", "planning_horizon_years"]
OLDER_TOTAL_STEP = 3  # an older decision's total differs by up to this many points
RECENT_TOTAL_STEP = 2  # a recent re-decision's total differs by up to this many points


def random_dates(window: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """Return `n` dates drawn evenly between the window's two ISO dates (inclusive)."""
    lo, hi = (np.datetime64(date.fromisoformat(d), "D") for d in window)
    return lo + rng.integers(0, int((hi - lo).astype(int)) + 1, n).astype("timedelta64[D]")


def executives(union: pl.DataFrame, first: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """Return the classified executive positions with the evidence their latest decision was
    made on, and each factor's evidence lean: the earlier snapshot's where the position is in it
    (its decision is dated before that snapshot, so a later restructure or plant does not reach
    back into it), else the latest snapshot's (a position created since)."""
    seen = pl.concat([first.select("uid", *EVIDENCE),
                      latest.filter(~pl.col("uid").is_in(first["uid"].implode()))
                      .select("uid", *EVIDENCE)])
    execs = union.filter(pl.col("executive") & (pl.col("code") != "HEAD"))
    cols = ["uid", "agency_code", "jurisdiction", "position_id", "code", "tier", "group",
            "specialist", "function", "in_first", "in_latest"]
    return evidence_lean(execs.select(cols).join(seen, on="uid", how="left",
                                                          maintain_order="left"))


def _rationale_lead(frame: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> pl.Series:
    """Return the opening sentence of each decision's rationale (who leads what)."""
    words = fw.phrases["rationale"]
    opener = rng.choice(np.array(words["openers"], dtype=object), frame.height)
    core = np.empty(frame.height, dtype=object)
    group = frame["group"].to_numpy()
    for key, options in words["cores"].items():
        mask = group == key
        core[mask] = rng.choice(np.array(options, dtype=object), int(mask.sum()))
    head = frame["group"] == "HEAD"
    function = pl.select(pl.when(head).then(frame["function"])
                         .otherwise(frame["function"].str.to_lowercase())).to_series()
    return pl.Series((opener + " " + core + " ").tolist(), dtype=pl.String) + function + "."


def _evaluators(frame: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> pl.Series:
    """Return an evaluator id per decision, drawn from its jurisdiction's panel."""
    out = np.empty(frame.height, dtype=object)
    jurisdiction = frame["jurisdiction"].to_numpy()
    for name, ladder in fw.config["ladders"].items():
        mask = jurisdiction == name
        out[mask] = rng.choice(np.array(ladder["evaluators"], dtype=object), int(mask.sum()))
    return pl.Series(out.tolist(), dtype=pl.String)


def decision_rows(frame: pl.DataFrame, totals: np.ndarray, dates: np.ndarray, fw: Frameworks,
                  rng: np.random.Generator) -> pl.DataFrame:
    """Return decisions on `frame`'s positions scored for `totals` and dated `dates`."""
    words = fw.phrases["rationale"]
    scored = scores_for(frame, totals, fw, rng)
    return scored.with_columns(
        decision_date=pl.Series(dates).cast(pl.Date),
        determined_code=pl.col("code"),
        evaluator=_evaluators(frame, fw, rng),
        lead_in=_rationale_lead(frame, fw, rng),
        reason=pl.Series(rng.choice(np.array(words["reasons"], dtype=object),
                                    frame.height).tolist(), dtype=pl.String),
        closer=pl.Series(rng.choice(np.array(words["closers"], dtype=object),
                                    frame.height).tolist(), dtype=pl.String),
    )


def _nudged(frame: pl.DataFrame, totals: np.ndarray, step: int, fw: Frameworks,
            rng: np.random.Generator) -> np.ndarray:
    """Return totals moved by up to `step` points, kept inside each tier's band."""
    low, high = band_limits(frame["tier"], fw)
    return np.clip(totals + rng.integers(-step, step + 1, len(totals)), low, high)


def clean_decisions(execs: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> pl.DataFrame:
    """Return every clean decision: latest, older superseded and recent re-decisions."""
    cfg = fw.config["determinations"]
    totals = spread_totals(execs, fw, rng)
    execs = execs.with_columns(clean_total=pl.Series(totals))
    old = execs["in_first"].to_numpy()
    dates = np.where(old, random_dates(cfg["clean_window"], execs.height, rng),
                     random_dates(cfg["new_window"], execs.height, rng))
    latest = decision_rows(execs, totals, dates, fw, rng)
    older_mask = old & (rng.random(execs.height) < cfg["redetermined_share"])
    gap = rng.integers(*cfg["older_gap_days"], execs.height).astype("timedelta64[D]")
    recent_mask = old & execs["in_latest"].to_numpy() & ~older_mask & (
        rng.random(execs.height) < cfg["recent_share"])
    older = execs.filter(pl.Series(older_mask))
    recent = execs.filter(pl.Series(recent_mask))
    parts = [
        latest,
        decision_rows(older, _nudged(older, totals[older_mask], OLDER_TOTAL_STEP, fw, rng),
                      (dates - gap)[older_mask], fw, rng),
        decision_rows(recent, _nudged(recent, totals[recent_mask], RECENT_TOTAL_STEP, fw, rng),
                      random_dates(cfg["new_window"], recent.height, rng), fw, rng),
    ]
    return pl.concat(parts)
