"""Discover: find the extract files under the input folder; refuse what cannot be read safely.

Nothing under the folder is skipped in silence. A subfolder that cannot be listed, a link that
leads nowhere (a loop, a missing target), a link to a file outside the folder (unless the user
allows it: it may be anything the user can read, a key file say), a link to a folder (not
followed) and an extract-named entry that is not a regular file (a pipe, a device) each stop the
run with exit 2, naming it. A file name that is not valid UTF-8 is shown with its odd bytes
escaped (\\xe9), under which name it is loaded.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.adapters import adapter_for
from pipeline.contract import ExtractKind, kind_of
from pipeline.errors import InputError

FORMATS = (".csv", ".xlsx", ".parquet")
UTF8_BOM = b"\xef\xbb\xbf"
ALLOW_FLAG = "--allow-outside-input"
HEADER_LIMIT = 1 << 20  # bytes of a CSV's first line read to recognise its layout


@dataclass(frozen=True)
class ExtractFile:
    """One extract file found under the input folder."""

    path: Path
    name: str  # path relative to the input folder, as shown to users and stored in the warehouse
    kind: ExtractKind
    adapter: str | None = None  # a source layout other than the contract's (pipeline/adapters)


def shown_name(relative: str) -> str:
    """Return a path as text that can be printed and stored: undecodable bytes as \\xNN."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(input_dir: Path, *, allow_outside: bool = False) -> list[ExtractFile]:
    """Return the extract files under a folder, sorted by name; raise InputError if none.

    Raise InputError, naming the entry, for anything under the folder that cannot be read
    safely (see the module's docstring); allow_outside lets links lead out of the folder.
    """
    if not input_dir.is_dir():
        raise InputError(f"input folder {input_dir} does not exist or is not a folder")
    root = input_dir.resolve()
    found = []
    for path in sorted(_entries(input_dir)):
        if path.suffix.lower() not in FORMATS:
            continue
        name = shown_name(path.relative_to(input_dir).as_posix())
        _check_entry(path, name, root, allow_outside)
        kind = kind_of(path.name)
        if kind is not None:
            found.append(ExtractFile(path=path, name=name, kind=kind))
            continue
        adapter = adapter_for(_peek_header(path))
        if adapter is not None:
            found.append(ExtractFile(path=path, name=name, kind=adapter.kind,
                                     adapter=adapter.name))
    if not found:
        prefixes = ", ".join(f"{kind.value}*" for kind in ExtractKind)
        raise InputError(f"no extract files in {input_dir}: expected {prefixes} files ending "
                         f"in {', '.join(FORMATS)}")
    return found


def _entries(input_dir: Path) -> Iterator[Path]:
    """Yield every entry under the folder that is not a folder; raise InputError on a bad one.

    Links to folders are not followed: each is refused, as a folder that cannot be listed is.
    """
    def refuse(error: OSError) -> None:
        """Raise the InputError of a folder that cannot be listed."""
        folder = shown_name(os.fsdecode(error.filename or input_dir))
        raise InputError(f"folder {folder} under the input cannot be read ({error.strerror}):"
                         " nothing was loaded") from error

    for folder, folders, files in os.walk(input_dir, onerror=refuse):
        for each in folders:
            if os.path.islink(os.path.join(folder, each)):
                link = shown_name(Path(folder, each).relative_to(input_dir).as_posix())
                raise InputError(f"folder {link} under the input is a link, which is not"
                                 " followed: give the folder it leads to as --input, or copy it")
        yield from (Path(folder, each) for each in files)


def _check_entry(path: Path, name: str, root: Path, allow_outside: bool) -> None:
    """Raise InputError if an extract-named entry is a bad link or not a regular file."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise InputError("is a link that leads nowhere (a loop, or a missing file)",
                             source_file=name) from error
        if not allow_outside and not target.is_relative_to(root):
            raise InputError("is a link to a file outside the input folder, and was not read"
                             f" (give {ALLOW_FLAG} to read such files)", source_file=name)
    if not path.is_file():
        raise InputError("is not a regular file (a pipe or a device?), and was not read",
                         source_file=name)


def _peek_header(path: Path) -> list[str]:
    """Return the column names of a CSV or Parquet file without reading it ([] if unreadable)."""
    try:
        if path.suffix.lower() == ".parquet":
            return list(pl.read_parquet_schema(path))
        if path.suffix.lower() == ".csv":
            with path.open("rb") as handle:
                first = handle.readline(HEADER_LIMIT).removeprefix(UTF8_BOM)
            line = first.splitlines()[0] if first.strip() else b""  # a bare CR ends it too
            return next(csv.reader([line.decode("utf-8", errors="replace")]), [])
    except (OSError, csv.Error, pl.exceptions.PolarsError):
        return []  # an unreadable file is no adapter's layout: it is simply not an extract
    return []
