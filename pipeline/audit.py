"""Audit: who loaded, reviewed and exported what, and when, as one trail.

Three records, each written where its action happens:

- loads: `load_audit` (one row per file: loaded_at, loaded_by), written by the load itself;
- review decisions: `flag_reviews` (append-only: reviewed_at, reviewer), written by a review;
- exports: an exported file leaves the warehouse, and an export opens it read-only, so each
  export is a JSON line appended to FILE.audit.jsonl beside the warehouse (when, who, table,
  rows, output, agency scope). `workvalue export` and the dashboard's downloads write it; an
  export that cannot be recorded is not made.

`workvalue audit` reads the three back as one table, oldest first (trail()).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipeline.errors import UnknownTableError, WarehouseError
from pipeline.warehouse import connect

AUDIT_SUFFIX = ".audit.jsonl"
TRAIL_SCHEMA = {
    "at": pl.Datetime("us"),  # when (UTC)
    "action": pl.String,  # load, review, export, download
    "who": pl.String,
    "subject": pl.String,  # the file loaded, the flag reviewed, the table exported
    "agency_code": pl.String,  # the flag's agency; the agency scope of a download
    "rows": pl.Int64,
    "detail": pl.String,
}


@dataclass(frozen=True)
class ExportRecord:
    """One export, as a line of the audit file."""

    at: str  # ISO timestamp, UTC
    who: str
    action: str  # "export" (workvalue export, workvalue audit --output) or "download"
    table: str
    rows: int
    output: str  # the file written (absolute), or the name a download was offered as
    agency: str | None = None  # the dashboard's agency scope, if any


def current_user() -> str:
    """Return the operating-system user running this process (the uid if it has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def utc_now() -> dt.datetime:
    """Return the current time in UTC, without a time zone (as the warehouse stores it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def audit_path(warehouse_path: Path) -> Path:
    """Return the export audit file of a warehouse: FILE.audit.jsonl beside it."""
    return warehouse_path.with_name(warehouse_path.name + AUDIT_SUFFIX)


def record_export(warehouse_path: Path, table: str, rows: int, output: str, *,
                  action: str = "export", agency: str | None = None) -> ExportRecord:
    """Append an export to the warehouse's audit file; return what was recorded.

    One line per export, written with a single append under an exclusive lock, so concurrent
    exports never interleave. Raises WarehouseError when the file cannot be written.
    """
    record = ExportRecord(at=utc_now().isoformat(timespec="microseconds"), who=current_user(),
                          action=action, table=table, rows=rows, output=output, agency=agency)
    line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
    path = audit_path(warehouse_path)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise WarehouseError(f"the export cannot be recorded in the audit file {path}: "
                             f"{error.strerror}; nothing was exported") from error
    return record


def exports(warehouse_path: Path) -> pl.DataFrame:
    """Return the audit file's exports as trail rows (none if no export was ever made).

    A line that cannot be read (cut short by a crash, edited by hand) is kept as a row that
    says so: the trail hides nothing.
    """
    path = audit_path(warehouse_path)
    if not path.exists():
        return pl.DataFrame(schema=TRAIL_SCHEMA)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8",
                                                 errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            rows.append({
                "at": dt.datetime.fromisoformat(entry["at"]), "action": entry["action"],
                "who": entry["who"], "subject": entry["table"], "agency_code": entry["agency"],
                "rows": int(entry["rows"]), "detail": f"to {entry['output']}"})
        except (ValueError, KeyError, TypeError):
            rows.append({"at": None, "action": "export", "who": None, "subject": None,
                         "agency_code": None, "rows": None,
                         "detail": f"line {number} of {path.name} cannot be read: {line[:200]}"})
    return pl.DataFrame(rows, schema=TRAIL_SCHEMA)


def loads_and_reviews(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the warehouse's loads (load_audit) and review decisions (flag_reviews) as trail rows.

    A warehouse loaded before load_audit had loaded_by says "not recorded" for those loads.
    """
    has_loaded_by = connection.execute(
        "select count(*) from information_schema.columns where table_name = 'load_audit'"
        " and column_name = 'loaded_by'").fetchall()[0][0] > 0
    loaded_by = "loaded_by" if has_loaded_by else "null"
    return connection.sql(f"""
        select loaded_at as "at", 'load' as action, coalesce({loaded_by}, 'not recorded') as who,
            source_file as subject, null::varchar as agency_code, rows_read as "rows",
            format('{{}}: {{}} read, {{}} loaded, {{}} quarantined{{}}', extract_kind, rows_read,
                   rows_loaded, rows_quarantined,
                   case when superseded_at is not null
                        then format('; replaced by a newer version on {{}}', superseded_at)
                        else '' end) as detail
        from load_audit
        union all
        select reviewed_at, 'review', reviewer, flag_key, agency_code, null::bigint,
            format('{{}} ({{}}{{}}): {{}}', decision, coalesce(rule_id, 'rule not recorded'),
                   coalesce(' on ' || position_id, ''), note)
        from flag_reviews
        """).pl().cast(TRAIL_SCHEMA)  # type: ignore[arg-type]


def trail(connection: duckdb.DuckDBPyConnection, warehouse_path: Path) -> pl.DataFrame:
    """Return every load, review decision and export of a warehouse, oldest first."""
    return pl.concat([loads_and_reviews(connection), exports(warehouse_path)]).sort(
        "at", "action", "subject", nulls_last=True)


def read_trail(warehouse_path: Path) -> pl.DataFrame:
    """Return the audit trail of a warehouse file, which is opened read-only."""
    connection = connect(warehouse_path, read_only=True)
    try:
        return trail(connection, warehouse_path)
    finally:
        connection.close()


def trail_lines(frame: pl.DataFrame) -> list[str]:
    """Return the trail as one line per action, for a terminal."""
    lines = []
    for row in frame.iter_rows(named=True):
        when = f"{row['at']:%Y-%m-%d %H:%M:%S}" if row["at"] is not None else "(no time)"
        scope = f" [{row['agency_code']}]" if row["agency_code"] else ""
        lines.append(f"{when}  {row['action']:<8} {row['who'] or '-'}  "
                     f"{row['subject'] or '-'}{scope}: {row['detail']}")
    return lines


def write_trail(frame: pl.DataFrame, warehouse_path: Path, output: Path) -> None:
    """Write the trail to CSV, XLSX or Parquet (by the output's ending), and record it.

    Text that a spreadsheet would run as a formula is escaped in CSV and XLSX, as in every
    export; writing the trail is itself an export, and is recorded like one.
    """
    from pipeline.privacy import escape_formula_cells
    from pipeline.publish import EXPORT_FORMATS

    suffix = output.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise UnknownTableError(f"cannot write the audit trail to '{output.name}': the output "
                                f"must end in {', '.join(EXPORT_FORMATS)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        frame.write_parquet(output)
    elif suffix == ".xlsx":
        escape_formula_cells(frame).write_excel(output, worksheet="audit", autofit=True)
    else:
        escape_formula_cells(frame).write_csv(output)
    try:
        record_export(warehouse_path, "audit", frame.height, str(output.resolve()))
    except WarehouseError:
        output.unlink(missing_ok=True)
        raise
