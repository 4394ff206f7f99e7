"""Publish: export a warehouse table to CSV, Excel or Parquet, and record the export.

Exports escape cells a spreadsheet would run as a formula (a text cell starting with =, +, -, @,
tab or carriage return gets a leading apostrophe) in CSV and Excel; Parquet is written as is.
Every export of a warehouse file is recorded in its audit file (pipeline.audit): an export that
cannot be recorded is removed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from pipeline import audit
from pipeline.duck import scalar, table_names
from pipeline.errors import OutputError, UnknownTableError, WarehouseError
from pipeline.privacy import FORMULA_START
from pipeline.warehouse import connect

EXPORT_FORMATS = (".csv", ".xlsx", ".parquet")


def export_warehouse_table(warehouse_path: Path, table: str, output: Path) -> int:
    """Export a table of a warehouse file (opened read-only) and record it; return the rows.

    The export is recorded in the warehouse's audit file only once it is written; if the record
    cannot be written, the exported file is removed and WarehouseError raised.
    """
    connection = connect(warehouse_path, read_only=True)
    try:
        rows = export_table(connection, table, output)
    except (OSError, duckdb.IOException) as error:
        _discard(output)
        reason = error.strerror if isinstance(error, OSError) else str(error).splitlines()[0]
        raise OutputError(f"cannot write {output}: {reason}") from error
    finally:
        connection.close()
    try:
        audit.record_export(warehouse_path, table, rows, str(output.resolve()))
    except WarehouseError:
        _discard(output)
        raise
    return rows


def _discard(output: Path) -> None:
    """Remove a file an export could not finish or record, if it can be removed."""
    with contextlib.suppress(OSError):
        output.unlink(missing_ok=True)


def export_table(connection: duckdb.DuckDBPyConnection, table: str, output: Path) -> int:
    """Write a warehouse table to CSV, XLSX or Parquet (by the output's ending); return rows."""
    if table not in table_names(connection):
        known = ", ".join(table_names(connection))
        raise UnknownTableError(f"no table '{table}' in the warehouse (tables: {known})")
    suffix = output.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise UnknownTableError(f"cannot export to '{output.name}': the output must end in "
                             f"{', '.join(EXPORT_FORMATS)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    query = (f'select * from "{table}"' if suffix == ".parquet"
             else _escaped_select(connection, table))
    if suffix == ".xlsx":
        frame = connection.sql(query).pl()
        frame.write_excel(output, worksheet=table[:31], autofit=True)
        return frame.height
    file_format = "csv, header true" if suffix == ".csv" else "parquet"
    connection.execute(f"copy ({query}) to '{_quoted(output)}' (format {file_format})")
    return int(scalar(connection, f'select count(*) from "{table}"'))


def _escaped_select(connection: duckdb.DuckDBPyConnection, table: str) -> str:
    """Return a select of the table with every text cell escaped against formula injection."""
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_name = ? and table_schema = 'main' order by ordinal_position",
        [table]).fetchall()
    selected = []
    for name, data_type in columns:
        quoted = f'"{name}"'
        if data_type in ("VARCHAR", "JSON"):
            text = f"{quoted}::varchar"
            selected.append(f"case when regexp_matches({text}, '{FORMULA_START}')"
                            f" then '''' || {text} else {text} end as {quoted}")
        else:
            selected.append(quoted)
    return f'select {", ".join(selected)} from "{table}"'


def _quoted(path: Path) -> str:
    """Return a path as a SQL string literal's content."""
    return str(path).replace("'", "''")
