"""Read: read each extract file (found by pipeline.discover) whole, as text, into a polars frame.

Every value is read as text (typing and cleaning is the staging SQL's job), so nothing a file
holds is lost or silently coerced here. Each row gets `row_number`: its position among the
file's data rows, 1 for the first row after the header. A row without any value (a blank line)
is skipped and counted in the extract's notes; a CSV line with more fields than the header, and
a workbook row with a formula that has no calculated value, are kept as rejected lines, to be
quarantined. CR, LF and CRLF all end a CSV line. A Parquet column of lists or structs is kept as
JSON text. A header is checked as the file wrote it: `fte` and `fte_2` are two columns.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

import polars as pl
from fastexcel import FastExcelError

from pipeline import workbook
from pipeline.adapters import Adapter, AdapterContext, adapter_named
from pipeline.contract import ROW_NUMBER, SPECS
from pipeline.discover import FORMATS, UTF8_BOM, ExtractFile, discover
from pipeline.errors import InputError

__all__ = ["FORMATS", "ExtractFile", "RawExtract", "ReadOptions", "discover", "read_extract"]
READER_ERRORS = (pl.exceptions.PolarsError, FastExcelError, zipfile.BadZipFile, OSError,
                 UnicodeError, ValueError)  # what the readers raise on a file they cannot read
SHOWN_NAMES = 40  # at most this many header names are echoed in a message
SHOWN_NAME_LENGTH = 60  # and each at most this long
HEADER_SEARCH_ROWS = 50  # a workbook's header is its first row with a value, among these
BARE_CR = re.compile(rb"\r(?!\n)")
SIGNATURES = {  # what a file of each binary format starts with, and the format's name
    ".xlsx": (b"PK\x03\x04", "an Excel workbook: an .xlsx file is a zip archive"),
    ".parquet": (b"PAR1", "a Parquet file"),
}


@dataclass(frozen=True)
class ReadOptions:
    """What the user asked of reading: a snapshot date for files with none, personal names."""

    snapshot_date: str | None = None
    include_names: bool = False
    allow_outside_input: bool = False  # read links under --input that lead out of it


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
    header: tuple[str, ...] = ()  # the column names as the file wrote them (repeats and all)

    @property
    def rows_read(self) -> int:
        """Return how many data rows the file holds, split or not."""
        return self.rows.height + self.rejected.height


def canonical_column(name: str) -> str:
    """Return a header as the contract names it: trimmed, lower case, spaces as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def extract_sha256(file: ExtractFile) -> str:
    """Return the sha256 of a file's bytes, read in chunks; raise InputError if unreadable.

    The same hash read_extract gives the file: what load_audit knows a content by.
    """
    try:
        with file.path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source_file=file.name) from error


def read_extract(file: ExtractFile, options: ReadOptions | None = None) -> RawExtract:
    """Return a file's rows as text with canonical column names; raise InputError if unusable."""
    try:
        content = file.path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source_file=file.name) from error
    sha256 = hashlib.sha256(content).hexdigest()
    suffix = file.path.suffix.lower()
    _check_signature(file, content, suffix)
    try:
        if suffix == ".csv":
            raw = _read_csv(file, content, sha256)
        elif suffix == ".xlsx":
            raw = _read_excel(file, content, sha256)
        else:
            rows = _read_parquet(content)
            raw = RawExtract(file, sha256, rows, header=tuple(rows.columns[1:]))
    except READER_ERRORS as error:  # a reader's own error: the file is not what it claims
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"cannot be read as {suffix[1:].upper()}: {message}",
                         source_file=file.name) from error
    raw = _without_empty_rows(raw)
    if file.adapter is not None:
        raw = _adapted(raw, adapter_named(file.adapter), options or ReadOptions())
    return _with_canonical_header(raw)


def _adapted(raw: RawExtract, adapter: Adapter, options: ReadOptions) -> RawExtract:
    """Return the rows of a file in another layout mapped onto the contract's columns."""
    context = AdapterContext(file_name=raw.file.path.name, snapshot_date=options.snapshot_date,
                             include_names=options.include_names)
    rows = adapter.to_contract(raw.rows, context)  # unique names: the header is the rows' own
    if (rows.height and "snapshot_date" in rows.columns  # a header-only file needs no date
            and rows["snapshot_date"].null_count() == rows.height):
        raise InputError("carries no snapshot date, and its name has no ISO date: give one with"
                         " --snapshot-date YYYY-MM-DD", source_file=raw.file.name,
                         column="snapshot_date")
    note = f"read as {adapter.name}"
    return RawExtract(raw.file, raw.sha256, rows, raw.rejected, (*raw.notes, note))


def _check_signature(file: ExtractFile, content: bytes, suffix: str) -> None:
    """Raise InputError when a workbook or Parquet file does not start as that format does."""
    signature = SIGNATURES.get(suffix)
    if signature is None or content.startswith(signature[0]):
        return
    if not content:
        raise InputError("is empty", source_file=file.name)
    raise InputError(f"is not {signature[1]} (is it another kind of file renamed {suffix}?)",
                     source_file=file.name)


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
    if BARE_CR.search(utf8):  # the reader knows LF and CRLF only: a bare CR would merge lines
        utf8 = re.sub(rb"\r\n?", b"\n", utf8)
        notes = (*notes, "lines ended by a bare CR (as well as LF or CRLF) read as lines")
    try:
        rows = pl.read_csv(utf8, infer_schema=False, row_index_name=ROW_NUMBER,
                           row_index_offset=1, raise_if_empty=True)
    except pl.exceptions.ComputeError as error:
        if "more fields" not in str(error):
            raise
        raw = _read_ragged_csv(file, utf8, sha256, notes)
        return RawExtract(file, sha256, raw.rows, raw.rejected, raw.notes,
                          _as_written(raw.rows.columns[1:]))
    return RawExtract(file, sha256, rows.with_columns(pl.col(ROW_NUMBER).cast(pl.Int64)),
                      notes=notes, header=_as_written(rows.columns[1:]))


def _as_written(names: list[str]) -> tuple[str, ...]:
    """Return a CSV's header as written: polars names a repeat of `fte` `fte_duplicated_0`."""
    return tuple(re.sub(r"_duplicated_\d+$", "", name)
                 if re.sub(r"_duplicated_\d+$", "", name) in names else name for name in names)


def _read_ragged_csv(file: ExtractFile, utf8: bytes, sha256: str,
                     notes: tuple[str, ...]) -> RawExtract:
    """Return a CSV whose lines do not all fit the header, with the misfits as rejected rows.

    The file is split as wide as its widest line, so a line with more fields than the header
    keeps every field: it is rejected (its fields re-joined as a CSV line) unless its extra
    fields are all empty. Rows are numbered as in a file whose lines all fit.
    """
    header = pl.read_csv(utf8, infer_schema=False, n_rows=0).columns
    wide = _split_wide(utf8, len(header))
    fields = [column for column in wide.columns if column != ROW_NUMBER]
    extra = fields[len(header):]
    fits = pl.all_horizontal(pl.col(extra).is_null())
    named = zip(fields[:len(header)], header, strict=True)
    rows = wide.filter(fits).select(ROW_NUMBER,
                                    *[pl.col(field).alias(name) for field, name in named])
    rejected = wide.filter(~fits).select(
        ROW_NUMBER,
        pl.format("the line has more fields than the header's {} columns (is a value with a"
                  " comma not quoted?); the values past the last column: {}",
                  pl.lit(len(header)),
                  pl.concat_list([pl.format("'{}'", pl.col(column)) for column in extra])
                  .list.drop_nulls().list.join(", ")).alias("reason"),
        pl.concat_str([_as_csv_field(field) for field in fields], separator=",")
        .str.strip_chars_end(",").alias("raw_line"),
    )
    misfits = (f"{rejected.height} line(s) do not fit the header",) if rejected.height else ()
    return RawExtract(file, sha256, rows, rejected=rejected, notes=(*notes, *misfits))


def _split_wide(utf8: bytes, header_width: int) -> pl.DataFrame:
    """Return a CSV's data rows split into as many text fields as its widest line holds."""
    lines = pl.Series(utf8.decode("utf-8").splitlines(), dtype=pl.String)
    widest = int(lines.str.count_matches(",", literal=True).max() or 0) + 1
    try:
        wide = _split_into(utf8, max(widest, header_width))
    except pl.exceptions.ComputeError:  # a quoted line break: the only sure bound is the file's
        wide = _split_into(utf8, utf8.count(b",") + 1)
    return wide.slice(1).with_row_index(ROW_NUMBER, offset=1).with_columns(
        pl.col(ROW_NUMBER).cast(pl.Int64))


def _split_into(utf8: bytes, width: int) -> pl.DataFrame:
    """Return every record of a CSV (header included) as `width` text fields, null-padded."""
    schema = {f"field_{index}": pl.String for index in range(width)}
    return pl.read_csv(utf8, has_header=False, schema=schema, missing_columns="insert")


def _as_csv_field(column: str) -> pl.Expr:
    """Return a text column as CSV fields: quoted where it holds a comma, quote or line break."""
    value = pl.col(column)
    return (pl.when(value.str.contains(r'[",\r\n]'))
            .then(pl.format('"{}"', value.str.replace_all('"', '""', literal=True)))
            .otherwise(value).fill_null(""))


def _without_empty_rows(raw: RawExtract) -> RawExtract:
    """Return the extract without rows whose every cell is empty (blank lines), noting them."""
    columns = [column for column in raw.rows.columns if column != ROW_NUMBER]
    empty = pl.all_horizontal(pl.col(columns).str.strip_chars().fill_null("") == "")
    skipped = raw.rows.filter(empty).height if columns else 0
    if skipped == 0:
        return raw
    return RawExtract(raw.file, raw.sha256, raw.rows.filter(~empty), raw.rejected,
                      (*raw.notes, f"{skipped} empty row(s) skipped"), raw.header)


def _read_excel(file: ExtractFile, content: bytes, sha256: str) -> RawExtract:
    """Return the first sheet of a workbook, every cell as text; refuse one too big to expand.

    Rows with a formula that has no calculated value are rejected (workbook.uncached_formulas).
    """
    problem = workbook.expansion_problem(content)
    if problem is not None:
        raise InputError(problem, source_file=file.name)
    frame = pl.read_excel(io.BytesIO(content), sheet_id=1, infer_schema_length=0,
                          raise_if_empty=False)
    top = pl.read_excel(io.BytesIO(content), sheet_id=1, has_header=False,
                        infer_schema_length=0, read_options={"n_rows": HEADER_SEARCH_ROWS})
    rows = frame.with_row_index(ROW_NUMBER, offset=1).with_columns(
        pl.col(ROW_NUMBER).cast(pl.Int64))
    header = next((row for row in top.iter_rows() if any(value for value in row)), ())
    written = tuple(value or "" for value in header)  # as the sheet has it: repeats and all
    return _without_uncached(RawExtract(file, sha256, rows, header=written),
                             workbook.uncached_formulas(content))


def _without_uncached(raw: RawExtract, formulas: list[workbook.UncachedFormula]) -> RawExtract:
    """Return the extract with rows holding a formula without a value moved to rejected."""
    names = [name for name in raw.rows.columns if name != ROW_NUMBER]
    reasons: dict[int, list[str]] = {}
    for formula in formulas:
        if formula.column_index < len(names):
            reasons.setdefault(formula.row_number, []).append(
                f"{canonical_column(names[formula.column_index])}: '={formula.formula}' is a"
                " formula without a value (the workbook was saved by a program that does not"
                " calculate: open and save it in a spreadsheet program); no value is invented")
    if not reasons:
        return raw
    flagged = pl.DataFrame({ROW_NUMBER: list(reasons),
                            "reason": ["; ".join(each) for each in reasons.values()]},
                           schema={ROW_NUMBER: pl.Int64, "reason": pl.String})
    rejected = raw.rows.join(flagged, on=ROW_NUMBER).select(
        ROW_NUMBER, "reason", pl.concat_str([_as_csv_field(name) for name in names],
                                            separator=",").alias("raw_line"))
    return RawExtract(raw.file, raw.sha256, raw.rows.join(flagged, on=ROW_NUMBER, how="anti"),
                      pl.concat([raw.rejected, rejected]),
                      (*raw.notes, f"{len(reasons)} row(s) with a formula without a value"),
                      raw.header)


def _read_parquet(content: bytes) -> pl.DataFrame:
    """Return a Parquet file's rows with every column as text (dates as ISO, nested as JSON)."""
    frame = pl.read_parquet(io.BytesIO(content))
    return frame.with_columns(
        _as_json_text(name) if dtype.is_nested() else pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()).with_row_index(
        ROW_NUMBER, offset=1).with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))


def _as_json_text(name: str) -> pl.Expr:
    """Return a nested column (lists, structs) as the JSON text of each value."""
    prefix = len(pl.DataFrame({name: [None]}).select(
        pl.struct(name).struct.json_encode()).item().removesuffix("null}"))
    encoded = pl.struct(name).struct.json_encode()
    return encoded.str.slice(prefix, encoded.str.len_chars() - prefix - 1).alias(name)


def _shown_header(names: list[str]) -> str:
    """Return header names as a message shows them: SHOWN_NAMES at most, each cut short."""
    shown = [name if len(name) <= SHOWN_NAME_LENGTH else name[:SHOWN_NAME_LENGTH] + "..."
             for name in names[:SHOWN_NAMES]]
    more = f", and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    return (", ".join(shown) or "none") + more


def _with_canonical_header(raw: RawExtract) -> RawExtract:
    """Return the extract with canonical column names; raise InputError on a clash or a gap."""
    names = [name for name in raw.rows.columns if name != ROW_NUMBER]
    canonical = [canonical_column(name) for name in names]
    spec = SPECS[raw.file.kind]
    as_written = [canonical_column(name) for name in (raw.header or names)]
    clashes = sorted({c for c in as_written if as_written.count(c) > 1 and c in spec.columns})
    if clashes:
        raise InputError("appears more than once in the header", source_file=raw.file.name,
                         column=clashes[0])
    missing = [column for column in spec.required if column not in canonical]
    if missing:
        found = _shown_header(list(raw.header or names))
        what = "required column is" if len(missing) == 1 else "required columns are"
        raise InputError(f"{what} missing (the header has: {found})",
                         source_file=raw.file.name, columns=tuple(missing))
    renames = {name: new for name, new in zip(names, canonical, strict=True)
               if new and canonical.count(new) == 1}
    return RawExtract(raw.file, raw.sha256, raw.rows.rename(renames), raw.rejected, raw.notes,
                      raw.header)
