"""Where the project's files are, and its configurable business parameters (data/settings.toml)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
SQL_DIR = PROJECT_DIR / "sql"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"


@cache
def read_toml(path: Path) -> dict[str, Any]:
    """Return a TOML file's content (cached: data files do not change during a run)."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


def data_file(name: str) -> dict[str, Any]:
    """Return the content of a TOML file under data/."""
    return read_toml(DATA_DIR / name)


def sql_text(relative_path: str) -> str:
    """Return the text of a SQL file under sql/."""
    return (SQL_DIR / relative_path).read_text(encoding="utf-8")
