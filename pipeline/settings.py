"""Where the project's files are, and its configurable business parameters (data/settings.toml)."""

from __future__ import annotations

import hashlib
import importlib.resources
import os
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
DATA_DIR_ENV = "WORKVALUE_DATA_DIR"  # a folder of data/*.toml files to use instead of data/


def data_dir() -> Path:
    """Return the folder of the configuration files: $WORKVALUE_DATA_DIR, else data/.

    The frameworks (data/frameworks/) are always the project's own: they encode source
    documents, not settings.
    """
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured) if configured else PROJECT_DIR / "data"


def read_toml(path: Path) -> dict[str, Any]:
    """Return a TOML file's content (cached until the file changes)."""
    status = path.stat()
    return _parsed_toml(path, status.st_mtime_ns, status.st_size)


@cache
def _parsed_toml(path: Path, _mtime_ns: int, _size: int) -> dict[str, Any]:
    """Return a TOML file's content, read once per version (modification time and size)."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


def data_file(name: str) -> dict[str, Any]:
    """Return the content of a configuration file (data/NAME, or $WORKVALUE_DATA_DIR/NAME)."""
    return read_toml(data_dir() / name)


def sql_text(relative_path: str) -> str:
    """Return the text of a SQL file under sql/."""
    return (SQL_DIR / relative_path).read_text(encoding="utf-8")


FINGERPRINTED = (("pipeline", "*.py"), ("sql", "*.sql"), ("data", "*.toml"),
                 ("data/frameworks", "*.toml"),
                 ("expectations", "*.json"))  # what the marts are built by: code, SQL, data
STAGING_FINGERPRINTED = (  # what decides a loaded row's codes and quarantine (not the marts')
    ("sql/staging", "*.sql"), ("sql/reference", "*.sql"), ("sql", "macros.sql"),
    ("data", "classifications.toml"), ("data", "crosswalk.toml"), ("data", "jurisdictions.toml"),
    ("data/frameworks", "*.toml"), ("expectations", "*.json"))


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
    return _fingerprint(FINGERPRINTED, parts)


def staging_sha256() -> str:
    """Return a hash of what decides a loaded row's codes and quarantine (STAGING_FINGERPRINTED).

    load_audit records it per file; a file staged with another hash is staged again from the
    raw layer (pipeline.restage).
    """
    return _fingerprint(STAGING_FINGERPRINTED, ())


def _fingerprint(folders: tuple[tuple[str, str], ...], parts: tuple[str, ...]) -> str:
    """Return the sha256 of parts and of every file matching each (folder, pattern), in order.

    `data` is the configuration folder (data_dir()), its own files only; any other folder is
    searched to any depth.
    """
    digest = hashlib.sha256("\0".join(parts).encode() + b"\0")
    for name, pattern in folders:
        folder = data_dir() if name == "data" else _fingerprinted_folder(name)
        found = folder.glob(pattern) if name == "data" else folder.rglob(pattern)
        for path in sorted(found):
            digest.update(f"{name}/{path.relative_to(folder).as_posix()}".encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
