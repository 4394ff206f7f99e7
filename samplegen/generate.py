"""The bundled sample: realistic extracts of fictional agencies, with labelled defects.

`write_sample(out_dir, seed, scale)` writes, for the APS, the VPS, Victorian public entities
(VPS-PE) and WA, the whole workforce of 14 fictional agencies as a reporting tree at two
snapshots (2024-06-30 and 2025-06-30), the classification decisions on their executive
positions, APS SES performance ratings and APS agency maturity levels, in the extract contract
(../shared/CONTRACT.md). Into this it plants a known set of defects for every rule and writes
`expected_flags.csv` (rule_id, snapshot_date, jurisdiction, agency_code, position_id,
classification, note); rows the loader must quarantine go to `positions_defects.csv` and
`determinations_defects.csv`, listed in `expected_quarantine.csv`. Neither expected_* file has
an extract prefix, so the loader ignores them.

Shape (samplegen.shapes): the 14 agencies of data/sample/agencies.toml, or `many-agencies`, the
same rows over about a thousand small agencies with four shared evaluators.

Scale: agency sizes (data/sample/agencies.toml) are multiplied by `scale`; executive layers
never shrink below their scale-1 size, so plants always find targets. Position rows (both
snapshots) are about 10,000 x scale for scale >= 1: scale 1 -> ~10,000 rows,
scale 10 -> ~100,000, scale 100 -> ~1,000,000 (about 8 executive decisions per 100
positions). Above scale 1, xlsx extracts are written as CSV.

Same seed and scale, same bytes: numpy's default_rng(seed) drives every draw and the xlsx
creation time is the snapshot date. Planted defects are fixed in number (data/sample/plants.toml)
except the band_points_mismatch labels of agency_band_drift (every position of the drifting
band) and the stale_determination labels of positions whose staff or budget moved by more than
half between the snapshots (restructures and side effects of planted moves). Timing on one core:
scale 1 about 1 s, scale 100 (1,000,000 position rows) about 10-15 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from samplegen.attributes import add_attributes
from samplegen.decisions import clean_decisions, executives
from samplegen.defects import write_defects
from samplegen.frameworks import Frameworks, load_frameworks
from samplegen.people import maturity, performance
from samplegen.plant_state import PlantState, apply_patches, resolve_labels
from samplegen.plants import (
    label_moved,
    plant_decisions,
    plant_maturity,
    plant_performance,
    plant_positions,
)
from samplegen.plants.executive_cohort_growth import earlier
from samplegen.shapes import shaped
from samplegen.snapshots import draw_occupancy, snapshot, with_rollups
from samplegen.tree import build_workforce
from samplegen.write import (
    DETERMINATION_HEAD,
    PERFORMANCE_COLUMNS,
    POSITION_COLUMNS,
    determinations_frame,
    positions_frame,
    write_extracts,
)

KINDS = ("positions", "determinations", "performance", "maturity")
FORMATS = ("csv", "xlsx", "parquet")
MATURITY_COLUMNS = ["year", "jurisdiction", "agency_code", "element", "maturity_level"]


@dataclass(frozen=True)
class SampleSummary:
    """What write_sample wrote: files, rows per file and planted labels per rule."""

    out_dir: Path
    files: tuple[str, ...]
    rows: dict[str, int] = field(hash=False)
    planted: dict[str, int] = field(hash=False)
    quarantined: int


@dataclass(frozen=True)
class _Sample:
    """The generated tables, before writing."""

    snapshots: dict[str, pl.DataFrame]
    decisions: pl.DataFrame
    performance: pl.DataFrame
    maturity_omitted: pl.DataFrame  # (year, agency, element) rows the maturity plants leave out
    labels: pl.DataFrame


def _generate(fw: Frameworks, seed: int, scale: float) -> tuple[_Sample, np.random.Generator]:
    """Return the sample's tables (with plants applied) and the generator used."""
    rng = np.random.default_rng(seed)
    union = draw_occupancy(add_attributes(build_workforce(fw, scale, rng), fw, rng), rng)
    first_date, latest_date = fw.config["snapshots"]
    state = PlantState(fw, rng, union, (first_date, latest_date))
    plant_positions(state)
    union = state.union  # plants may retitle positions, or plant branches as new
    first = with_rollups(snapshot(earlier(union), False, first_date))
    latest = with_rollups(apply_patches(snapshot(union, True, latest_date), state))
    state.latest = latest
    execs = executives(union, first, latest)
    decisions = plant_decisions(state, execs, clean_decisions(execs, fw, rng))
    label_moved(state, first, latest, decisions["uid"].unique())
    snapshots = {first_date: first, latest_date: latest}
    perf = plant_performance(state, performance(snapshots, fw, rng))
    omitted = plant_maturity(state)
    return _Sample(snapshots, decisions, perf, omitted, resolve_labels(state, snapshots)), rng


def _clear_previous(out_dir: Path, fw: Frameworks) -> None:
    """Remove extracts an earlier run of the generator may have left in another format."""
    for kind in KINDS:
        for jurisdiction in fw.config["jurisdictions"]:
            for fmt in FORMATS:
                (out_dir / f"{kind}_{jurisdiction.lower()}.{fmt}").unlink(missing_ok=True)


def _write_all(out_dir: Path, sample: _Sample, fw: Frameworks, scale: float,
               rng: np.random.Generator) -> tuple[dict[str, int], int]:
    """Write every file of the sample; return rows per file and rows expected in quarantine."""
    determination_columns = [*DETERMINATION_HEAD, *fw.factors, "total_points", "rationale"]
    rows = write_extracts(out_dir, "positions", positions_frame(sample.snapshots, fw),
                          POSITION_COLUMNS, ["snapshot_date"], fw, scale)
    rows |= write_extracts(out_dir, "determinations", determinations_frame(sample.decisions, fw,
                                                                           rng),
                           determination_columns, ["decision_date"], fw, scale)
    rows |= write_extracts(out_dir, "performance", sample.performance, PERFORMANCE_COLUMNS, [],
                           fw, scale)
    assessed = maturity(fw, rng).join(sample.maturity_omitted,
                                      on=["year", "agency_code", "element"], how="anti",
                                      maintain_order="left")
    rows |= write_extracts(out_dir, "maturity", assessed, MATURITY_COLUMNS, [], fw, scale)
    latest = sample.snapshots[fw.config["snapshots"][-1]]
    defects, quarantined = write_defects(out_dir, latest, fw.factors)
    sample.labels.write_csv(out_dir / "expected_flags.csv")
    rows |= defects | {"expected_flags.csv": sample.labels.height,
                       "expected_quarantine.csv": quarantined}
    return rows, quarantined


def write_sample(out_dir: Path, seed: int = 42, scale: float = 1.0,
                 data_dir: Path | None = None, shape: str = "sample") -> SampleSummary:
    """Return a summary of the sample extracts written to `out_dir` for `seed`, `scale` and
    `shape` (samplegen.shapes), reading the frameworks and sample configuration from
    `data_dir` (default: the checkout's)."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    fw, grow = shaped(load_frameworks() if data_dir is None else load_frameworks(Path(data_dir)),
                      shape, scale)
    sample, rng = _generate(fw, seed, grow)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(out_dir, fw)
    rows, quarantined = _write_all(out_dir, sample, fw, scale, rng)
    planted = dict(sample.labels.group_by("rule_id").len().sort("rule_id").iter_rows())
    return SampleSummary(out_dir=out_dir, files=tuple(sorted(rows)),
                         rows=dict(sorted(rows.items())),
                         planted=planted, quarantined=quarantined)
