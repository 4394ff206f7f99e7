"""Publish: export a warehouse table to CSV, Excel or Parquet, and record the export.

Exports escape cells a spreadsheet would run as a formula (a text cell starting with =, +, -, @,
tab or carriage return gets a leading apostrophe) in CSV and Excel; Parquet is written as is.
Every export of a warehouse file is recorded in its audit file (pipeline.audit): an export that
cannot be recorded is removed.

The flags export carries one column the table has not, after the table's own: `rule_name`,
each rule's readable name, the `title` of its SQL header (sql/rules/<rule_id>.sql, parsed by
pipeline/catalog.py), which the run writes into the warehouse's `ref_rules` table; the dashboard
shows the same names (rule_name_join).
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
FLAGS_TABLE = "flags"
RULES_TABLE = "ref_rules"  # the rule catalog as the run wrote it: rule_id, title, ...


def rule_name_join(connection: duckdb.DuckDBPyConnection, flags: str) -> tuple[str, str]:
    """Return the select expression of a flag's rule name and the join it needs.

    ``flags`` is the alias of the flags read. The name is the rule's title from ref_rules, or
    its id where the warehouse has no title for it (a warehouse written before ref_rules).
    """
    if RULES_TABLE not in table_names(connection):
        return f"{flags}.rule_id", ""
    return (f"coalesce(rule_names.title, {flags}.rule_id)",
            f"left join {RULES_TABLE} as rule_names on rule_names.rule_id = {flags}.rule_id")


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
    source = _source(connection, table)
    query = (f"select * from ({source})" if suffix == ".parquet"
             else _escaped_select(connection, source))
    if suffix == ".xlsx":
        frame = connection.sql(query).pl()
        frame.write_excel(output, worksheet=table[:31], autofit=True)
        return frame.height
    file_format = "csv, header true" if suffix == ".csv" else "parquet"
    connection.execute(f"copy ({query}) to '{_quoted(output)}' (format {file_format})")
    return int(scalar(connection, f'select count(*) from "{table}"'))


def _source(connection: duckdb.DuckDBPyConnection, table: str) -> str:
    """Return the select an export writes: the table, and for flags each rule's name after it."""
    if table != FLAGS_TABLE:
        return f'select * from "{table}"'
    name, join = rule_name_join(connection, "flags")
    return f"select flags.*, {name} as rule_name from {FLAGS_TABLE} as flags {join}"


def _escaped_select(connection: duckdb.DuckDBPyConnection, source: str) -> str:
    """Return a select of a source with every text cell escaped against formula injection."""
    columns = [(row[0], row[1]) for row in connection.execute(f"describe {source}").fetchall()]
    selected = []
    for name, data_type in columns:
        quoted = f'"{name}"'
        if data_type in ("VARCHAR", "JSON"):
            text = f"{quoted}::varchar"
            selected.append(f"case when regexp_matches({text}, '{FORMULA_START}')"
                            f" then '''' || {text} else {text} end as {quoted}")
        else:
            selected.append(quoted)
    return f'select {", ".join(selected)} from ({source})'


def _quoted(path: Path) -> str:
    """Return a path as a SQL string literal's content."""
    return str(path).replace("'", "''")
