"""Per-position attributes of the sample workforce: spellings, titles, descriptions, evidence draws.

Everything is drawn per tier or per code with numpy over all positions at once; lookups that
depend on the agency (its spelling style, stream style, title set) are small mapping frames
joined on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from samplegen.frameworks import Frameworks, spell

FUNDS_SPREAD = 0.6  # log-normal sigma of a position's own program funds


def _agency_lookups(union: pl.DataFrame, fw: Frameworks) -> pl.DataFrame:
    """Return one row per (agency, code) present with its spelling, the executive role title
    of the code and the agency head's title."""
    rows = []
    pairs = union.select("agency_code", "code", "tier").unique()
    agencies = {a["code"]: a for a in fw.config["agencies"]}
    for agency_code, code, tier in pairs.iter_rows():
        agency = agencies[agency_code]
        titles = fw.phrases["titles"][agency["titles"]]
        rows.append({"agency_code": agency_code, "code": code,
                     "classification": spell(code, fw.config["styles"][agency["style"]]),
                     "role": titles.get(code, titles.get(tier)), "head_role": titles["HEAD"]})
    return pl.DataFrame(rows, schema={"agency_code": pl.String, "code": pl.String,
                                      "classification": pl.String, "role": pl.String,
                                      "head_role": pl.String})


def stream_lookup(fw: Frameworks) -> pl.DataFrame:
    """Return one row per (agency, stream key) with the stream as the agency writes it."""
    rows = [{"agency_code": a["code"], "stream_key": key, "stream": text}
            for a in fw.config["agencies"]
            for key, text in fw.config["stream_styles"][a["streams"]].items()]
    return pl.DataFrame(rows)


def _pick(options: dict[str, list[Any]], keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return, for each key, one of `options[key]` drawn at random."""
    out = np.empty(len(keys), dtype=object)
    for key, choices in options.items():
        mask = keys == key
        if mask.any():
            out[mask] = rng.choice(np.array(choices, dtype=object), int(mask.sum()))
    return out


def _text_columns(union: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> pl.DataFrame:
    """Return the union with position_title and position_description."""
    group = union["group"].to_numpy()
    phrases = fw.phrases
    start = _pick(phrases["descriptions"], group, rng)
    end = _pick(phrases["description_ends"], group, rng)
    staff_title = _pick(phrases["staff_titles"], union["code"].to_numpy(), rng)
    head = pl.col("layer") == 0
    executive_title = pl.concat_str(pl.col("role"), pl.lit(", "), pl.col("function"))
    return union.with_columns(
        position_title=pl.when(head).then(pl.col("head_role"))
        .when(pl.col("executive")).then(executive_title)
        .otherwise(pl.Series(staff_title.tolist(), dtype=pl.String)),
        position_description=pl.concat_str(
            pl.Series(start.tolist(), dtype=pl.String), pl.lit(" "),
            pl.when(head).then(pl.col("function")).otherwise(pl.col("function").str.to_lowercase()),
            pl.Series(end.tolist(), dtype=pl.String)),
    )


def _evidence_draws(union: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> pl.DataFrame:
    """Return the union with own sites, planning horizon, own program funds and FTE cost."""
    cfg = fw.config
    group = union["group"].to_numpy()
    lo = np.zeros(union.height, dtype=int)
    hi = np.zeros(union.height, dtype=int)
    for key, (a, b) in cfg["own_locations"].items():
        lo[group == key], hi[group == key] = a, b
    horizon = _pick(cfg["horizons"], group, rng)
    spread = rng.lognormal(0.0, FUNDS_SPREAD, union.height)
    costs = {int(rank): float(k) * 1000.0 for rank, k in cfg["costs"].items()}
    funds = pl.col("group").replace_strict(cfg["program_funds"], return_dtype=pl.Float64)
    factor = pl.col("stream_key").fill_null("ceo").replace_strict(cfg["stream_funds"],
                                                                 return_dtype=pl.Float64)
    return union.with_columns(
        own_locations=pl.Series(rng.integers(lo, hi + 1)),
        planning_horizon_years=pl.Series(horizon.tolist(), dtype=pl.Int64),
        program_funds=((funds * factor * pl.Series(spread) * 1e3).round() * 1e3),
        cost_aud=pl.col("rank").replace_strict(costs, return_dtype=pl.Float64),
    )


def add_attributes(union: pl.DataFrame, fw: Frameworks, rng: np.random.Generator) -> pl.DataFrame:
    """Return the workforce with spellings, streams, titles, descriptions and evidence draws."""
    names = {a["code"]: a["name"] for a in fw.config["agencies"]}
    union = union.with_columns(
        group=pl.when(pl.col("layer") == 0).then(pl.lit("HEAD")).otherwise(pl.col("tier")),
        agency_name=pl.col("agency_code").replace_strict(names, return_dtype=pl.String))
    union = union.join(_agency_lookups(union, fw), on=["agency_code", "code"], how="left",
                       maintain_order="left")
    union = union.join(stream_lookup(fw), on=["agency_code", "stream_key"], how="left",
                       maintain_order="left")
    union = union.with_columns(stream=pl.when(pl.col("executive")).then(pl.col("stream")))
    union = _text_columns(union, fw, rng)
    return _evidence_draws(union, fw, rng).sort("uid")
