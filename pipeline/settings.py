"""Where the project's files are, and its configurable business parameters (data/settings.toml)."""

from __future__ import annotations

import hashlib
import importlib.resources
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

RESOURCES = ("sql", "data", "expectations")  # top-level folders of the checkout


def resource_root() -> Path:
    """Return the folder holding sql/, data/ and expectations/.

    An installed wheel ships them inside the pipeline package (pyproject.toml maps them there);
    a checkout keeps them at its top level, beside pipeline/.
    """
    package = Path(str(importlib.resources.files("pipeline")))
    return package if (package / "sql").is_dir() else package.parent


PROJECT_DIR = resource_root()
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


FINGERPRINTED = (("pipeline", "*.py"), ("sql", "*.sql"), ("data", "*.toml"),
                 ("expectations", "*.json"))  # what the marts are built by: code, SQL, data


def _fingerprinted_folder(name: str) -> Path:
    """Return where a fingerprinted folder is: under the resource root, except the code of an
    installed wheel, which is the resource root itself (the package that holds the others)."""
    folder = PROJECT_DIR / name
    return PROJECT_DIR if name == "pipeline" and not folder.is_dir() else folder


def configuration_sha256(*parts: str) -> str:
    """Return a hash of the code, SQL and data files that decide what the marts hold, and parts.

    A run records it with the marts it publishes; a later run over unchanged extracts with the
    same hash has nothing to recompute (pipeline.run).
    """
    digest = hashlib.sha256("\0".join(parts).encode() + b"\0")
    for name, pattern in FINGERPRINTED:
        folder = _fingerprinted_folder(name)
        for path in sorted(folder.rglob(pattern)):
            digest.update(f"{name}/{path.relative_to(folder).as_posix()}".encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
