"""Read: find extract files and read each one, whole and as text, into a polars frame.

Every value is read as text (typing and cleaning is the staging SQL's job), so nothing a file
holds is lost or silently coerced here. Each row gets `row_number`: its position among the
file's data rows, 1 for the first row after the header.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipeline.contract import SPECS, ExtractKind, kind_of
from pipeline.errors import InputError

FORMATS = (".csv", ".xlsx", ".parquet")
ROW_NUMBER = "row_number"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ExtractFile:
    """One extract file found under the input folder."""

    path: Path
    name: str  # path relative to the input folder, as shown to users and stored in the warehouse
    kind: ExtractKind


@dataclass(frozen=True)
class RawExtract:
    """One file as read: its rows as text, plus the lines that could not be split into rows."""

    file: ExtractFile
    sha256: str
    rows: pl.DataFrame  # row_number + one String column per header, canonical names
    rejected: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={ROW_NUMBER: pl.Int64, "reason": pl.String, "raw_line": pl.String}))
    notes: tuple[str, ...] = ()

    @property
    def rows_read(self) -> int:
        """Return how many data rows the file holds, split or not."""
        return self.rows.height + self.rejected.height


def canonical_column(name: str) -> str:
    """Return a header as the contract names it: trimmed, lower case, spaces as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def discover(input_dir: Path) -> list[ExtractFile]:
    """Return the extract files under a folder, sorted by name; raise InputError if none."""
    if not input_dir.is_dir():
        raise InputError(f"input folder {input_dir} does not exist or is not a folder")
    found = []
    for path in sorted(input_dir.rglob("*")):
        kind = kind_of(path.name)
        if path.is_file() and kind is not None and path.suffix.lower() in FORMATS:
            found.append(ExtractFile(path=path, name=path.relative_to(input_dir).as_posix(),
                                     kind=kind))
    if not found:
        prefixes = ", ".join(f"{kind.value}*" for kind in ExtractKind)
        raise InputError(f"no extract files in {input_dir}: expected {prefixes} files ending "
                         f"in {', '.join(FORMATS)}")
    return found


def read_extract(file: ExtractFile) -> RawExtract:
    """Return a file's rows as text with canonical column names; raise InputError if unusable."""
    try:
        content = file.path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source_file=file.name) from error
    sha256 = hashlib.sha256(content).hexdigest()
    suffix = file.path.suffix.lower()
    try:
        if suffix == ".csv":
            raw = _read_csv(file, content, sha256)
        elif suffix == ".xlsx":
            raw = RawExtract(file, sha256, _read_excel(content))
        else:
            raw = RawExtract(file, sha256, _read_parquet(content))
    except InputError:
        raise
    except Exception as error:  # a reader library's own error: the file is not what it claims
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"cannot be read as {suffix[1:].upper()}: {message}",
                         source_file=file.name) from error
    return _with_canonical_header(raw)


def _decode(content: bytes) -> tuple[bytes, tuple[str, ...]]:
    """Return UTF-8 bytes without a BOM, decoding cp1252 where the file is not UTF-8."""
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM):]
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        text = content.decode("cp1252", errors="replace")
        note = (f"not UTF-8 (invalid byte at offset {error.start}): decoded as cp1252"
                + ("; some bytes had no cp1252 character and became U+FFFD"
                   if "\ufffd" in text else ""))
        return text.encode("utf-8"), (note,)
    return content, ()


def _read_csv(file: ExtractFile, content: bytes, sha256: str) -> RawExtract:
    """Return a CSV's rows; lines with more fields than the header are rejected, not dropped."""
    utf8, notes = _decode(content)
    if not utf8.strip():
        raise InputError("is empty: no header row", source_file=file.name)
    try:
        rows = pl.read_csv(utf8, infer_schema=False, row_index_name=ROW_NUMBER,
                           row_index_offset=1, raise_if_empty=True)
    except pl.exceptions.ComputeError as error:
        if "more fields" not in str(error):
            raise
        return _read_ragged_csv(file, utf8, sha256, notes)
    return RawExtract(file, sha256, rows.with_columns(pl.col(ROW_NUMBER).cast(pl.Int64)),
                      notes=notes)


def _read_ragged_csv(file: ExtractFile, utf8: bytes, sha256: str,
                     notes: tuple[str, ...]) -> RawExtract:
    """Return a CSV whose lines do not all fit the header, with the misfits as rejected rows.

    DuckDB's reader records each line it cannot split (too many or too few fields) in its
    rejects table. Row numbers of such a file count physical lines, so a field with an embedded
    line break shifts them: docs/contract.md says so.
    """
    path = _spill_to_temp(utf8)
    connection = duckdb.connect()
    try:
        good = connection.sql(
            "select * from read_csv(?, all_varchar = true, header = true, store_rejects = true,"
            " parallel = false, auto_detect = true)", params=[path]).pl()
        rejected = connection.sql(
            "select line - 1 as row_number, error_type, error_message, csv_line"
            " from reject_errors order by line").pl()
    finally:
        connection.close()
        Path(path).unlink(missing_ok=True)
    rejected = rejected.unique(ROW_NUMBER, keep="first", maintain_order=True).select(
        pl.col(ROW_NUMBER).cast(pl.Int64),
        pl.format("the line cannot be split into the header's columns ({}: {})",
                  pl.col("error_type").str.to_lowercase(), pl.col("error_message"))
        .alias("reason"),
        pl.col("csv_line").alias("raw_line"),
    )
    total = good.height + rejected.height
    good_numbers = pl.Series(ROW_NUMBER, range(1, total + 1), dtype=pl.Int64).filter(
        ~pl.Series(range(1, total + 1)).is_in(rejected[ROW_NUMBER].implode()))
    rows = good.with_columns(good_numbers).select(ROW_NUMBER, *good.columns)
    return RawExtract(file, sha256, rows, rejected=rejected,
                      notes=(*notes, f"{rejected.height} line(s) do not fit the header"))


def _spill_to_temp(utf8: bytes) -> str:
    """Return the path of a temporary UTF-8 copy of a CSV (DuckDB reads files, not bytes)."""
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
        handle.write(utf8)
        return handle.name


def _read_excel(content: bytes) -> pl.DataFrame:
    """Return the first sheet of a workbook, every cell as text."""
    frame = pl.read_excel(io.BytesIO(content), sheet_id=1, infer_schema_length=0,
                          raise_if_empty=False)
    return frame.with_row_index(ROW_NUMBER, offset=1).with_columns(
        pl.col(ROW_NUMBER).cast(pl.Int64))


def _read_parquet(content: bytes) -> pl.DataFrame:
    """Return a Parquet file's rows with every column cast to text (dates as ISO)."""
    frame = pl.read_parquet(io.BytesIO(content))
    return frame.with_columns(pl.all().cast(pl.String)).with_row_index(
        ROW_NUMBER, offset=1).with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))


def _with_canonical_header(raw: RawExtract) -> RawExtract:
    """Return the extract with canonical column names; raise InputError on a clash or a gap."""
    names = [name for name in raw.rows.columns if name != ROW_NUMBER]
    canonical = [canonical_column(name) for name in names]
    spec = SPECS[raw.file.kind]
    clashes = sorted({c for c in canonical if c and canonical.count(c) > 1 and c in spec.columns})
    if clashes:
        raise InputError("appears more than once in the header", source_file=raw.file.name,
                         column=clashes[0])
    missing = [column for column in spec.required if column not in canonical]
    if missing:
        found = ", ".join(names) or "none"
        raise InputError(f"required column is missing (the header has: {found})",
                         source_file=raw.file.name, column=missing[0])
    renames = {name: new for name, new in zip(names, canonical, strict=True)
               if new and canonical.count(new) == 1}
    return RawExtract(raw.file, raw.sha256, raw.rows.rename(renames), raw.rejected, raw.notes)
