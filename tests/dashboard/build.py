"""The dashboard tests' warehouse: the hand-written extracts run through the real pipeline.

extracts/ holds two snapshots (2024-06-30, 2025-06-30) of three agencies (APS DEPA and DEPB,
VPS VDOG), their determinations, performance ratings and maturity assessments, with one row of
each kind the pipeline quarantines and one unmapped classification spelling. findings.sql then
fixes the flags and reviews, so the tests assert numbers worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb

from pipeline import settings
from pipeline.run import run_pipeline

HERE = Path(__file__).resolve().parent
EXTRACTS = HERE / "extracts"
FINDINGS = HERE / "findings.sql"
HOSTILE = HERE / "hostile.sql"
BEACON = "198.51.100.7"  # the address hostile.sql's Markdown would fetch from
RUN_DATE = dt.date(2025, 8, 1)


def build_warehouse(path: Path) -> Path:
    """Return the path of a fresh fixture warehouse written at path."""
    run_pipeline(EXTRACTS, path, today=RUN_DATE)
    with duckdb.connect(str(path)) as connection:
        connection.execute(FINDINGS.read_text(encoding="utf-8"))
    return path


def build_hostile_warehouse(path: Path) -> Path:
    """Return the path of a fixture warehouse with hostile.sql's rows added."""
    build_warehouse(path)
    with duckdb.connect(str(path)) as connection:
        connection.execute(HOSTILE.read_text(encoding="utf-8"))
    return path


def settings_with_ratio_min_fte(folder: Path, min_fte: float) -> Path:
    """Return a copy of data/'s configuration files with another ratio_min_fte (structure.toml).

    Point $WORKVALUE_DATA_DIR at it to use it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for path in (settings.PROJECT_DIR / "data").glob("*.toml"):
        shutil.copy(path, folder / path.name)
    structure = folder / "structure.toml"
    text, replaced = re.subn(r"(?m)^ratio_min_fte = .*$", f"ratio_min_fte = {min_fte}",
                             structure.read_text(encoding="utf-8"))
    assert replaced == 1, "data/structure.toml has no ratio_min_fte line"
    structure.write_text(text, encoding="utf-8")
    return folder


def copy_warehouse(source: Path, target: Path) -> Path:
    """Return the path of a copy of a warehouse (for a test that writes to it)."""
    shutil.copy(source, target)
    return target
