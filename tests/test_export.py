"""Export: CSV, XLSX or Parquet by the output's ending; spreadsheet formulas escaped."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipeline import catalog, marts, schema
from pipeline.cli import app
from tests.helpers import copy_fixtures, flat, run

FLAGS_COLUMNS = ["snapshot_date", "jurisdiction", "agency_code", "position_id",
                 "classification", "rule_id", "severity", "message", "evidence"]
TITLES_AS_WRITTEN = {
    "P1": '=HYPERLINK("http://example.com","click")',
    "P2": "+61 2 6215 2222",
    "P3": "-Deputy Secretary",
    "P4": "@SUM(A1:A9)",
    "P5": "Branch Manager",
}
TITLES_ESCAPED = {
    "P1": "'=HYPERLINK(\"http://example.com\",\"click\")",
    "P2": "'+61 2 6215 2222",
    "P3": "'-Deputy Secretary",
    "P4": "'@SUM(A1:A9)",
    "P5": "Branch Manager",
}


def export(warehouse_path: Path, table: str, output: Path) -> Result:
    """Return the result of `workvalue export` through the CLI, in process."""
    return CliRunner().invoke(app, ["export", table, "--warehouse", str(warehouse_path),
                                    "--output", str(output)])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a warehouse holding positions whose titles a spreadsheet would run as formulas."""
    root = tmp_path_factory.mktemp("export")
    folder = copy_fixtures("export", "positions_formulas.csv", into=root / "in")
    summary = run(folder, root / "w.duckdb")
    assert summary.rows_loaded == 5
    return root / "w.duckdb"


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a warehouse with every table created and nothing loaded (flags is empty)."""
    path = tmp_path_factory.mktemp("empty") / "w.duckdb"
    connection = duckdb.connect(str(path))
    schema.prepare(connection)
    kept = catalog.upstream(set(catalog.kept_support_models()))  # the check stage's, marts read
    catalog.build(connection, catalog.build_order(kept))
    marts.build_marts(connection)
    connection.close()
    return path


def titles_from_csv(path: Path) -> dict[str, str]:
    """Return position_id -> position_title of a positions CSV export."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["position_id"]: row["position_title"] for row in csv.DictReader(handle)}


def test_csv_export_escapes_formulas(loaded: Path, tmp_path: Path) -> None:
    result = export(loaded, "positions", tmp_path / "positions.csv")
    assert (result.exit_code, flat(result.output)) == (
        0, f"wrote 5 rows of positions to {tmp_path / 'positions.csv'}")
    assert titles_from_csv(tmp_path / "positions.csv") == TITLES_ESCAPED


def test_xlsx_export_escapes_formulas(loaded: Path, tmp_path: Path) -> None:
    assert export(loaded, "positions", tmp_path / "positions.xlsx").exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "positions.xlsx").active
    assert sheet.title == "positions"
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    formulas = [cell.coordinate for row in rows for cell in row if cell.data_type == "f"]
    assert formulas == []
    titles = {row[header.index("position_id")].value: row[header.index("position_title")].value
              for row in rows[1:]}
    assert titles == TITLES_ESCAPED
    budgets = [row[header.index("budget_managed")].value for row in rows[1:]]
    assert sorted(budgets, key=lambda value: value or 0) == [None, None, None, None, 1_200_000]


def test_parquet_export_keeps_values_as_they_are(loaded: Path, tmp_path: Path) -> None:
    assert export(loaded, "positions", tmp_path / "positions.parquet").exit_code == 0
    frame = pl.read_parquet(tmp_path / "positions.parquet")
    assert dict(frame.select("position_id", "position_title").iter_rows()) == TITLES_AS_WRITTEN
    assert frame.schema["snapshot_date"] == pl.Date
    assert frame.schema["fte"] == pl.Float64


def test_the_ending_picks_the_format_whatever_its_case(loaded: Path, tmp_path: Path) -> None:
    assert export(loaded, "positions", tmp_path / "positions.CSV").exit_code == 0
    assert titles_from_csv(tmp_path / "positions.CSV") == TITLES_ESCAPED


@pytest.mark.parametrize("ending", [".csv", ".xlsx", ".parquet"])
def test_empty_flags_export_with_the_contract_columns(empty: Path, tmp_path: Path,
                                                      ending: str) -> None:
    output = tmp_path / f"flags{ending}"
    result = export(empty, "flags", output)
    assert (result.exit_code, flat(result.output)) == (0, f"wrote 0 rows of flags to {output}")
    if ending == ".csv":
        [header] = output.read_text(encoding="utf-8").splitlines()
        columns = header.split(",")
    elif ending == ".xlsx":
        [header] = openpyxl.load_workbook(output).active.iter_rows(values_only=True)
        columns = list(header)
    else:
        columns = pl.read_parquet(output).columns
    assert columns[:len(FLAGS_COLUMNS)] == FLAGS_COLUMNS  # the contract's, first; more may follow


def test_the_flags_export_names_each_rule_after_the_tables_columns(empty: Path,
                                                                   tmp_path: Path) -> None:
    """rule_name: the title of the rule's SQL header (ref_rules), or the id of a rule unknown."""
    warehouse = tmp_path / "named.duckdb"
    warehouse.write_bytes(empty.read_bytes())
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("""
            insert into flags (snapshot_date, jurisdiction, agency_code, position_id,
                classification, rule_id, severity, message, evidence)
            values (date '2025-06-30', 'APS', 'A', 'P1', 'SES2', 'hierarchy_inversion',
                    'high', '-P1 reports to P2', '{}'),
                   (date '2025-06-30', 'APS', 'A', 'P3', 'SES1', 'retired_rule', 'low',
                    'a rule no longer in sql/rules', '{}')""")
        columns = [row[0] for row in connection.execute("describe flags").fetchall()]
    assert export(warehouse, "flags", tmp_path / "flags.csv").exit_code == 0
    with (tmp_path / "flags.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*columns, "rule_name"]  # added last: nothing renamed or moved
    assert {row["rule_id"]: row["rule_name"] for row in rows} == {
        "hierarchy_inversion": "Banded at or above the position it reports to",  # its header
        "retired_rule": "retired_rule"}
    assert rows[0]["message"] == "'-P1 reports to P2"  # still escaped
    assert export(warehouse, "flags", tmp_path / "flags.parquet").exit_code == 0
    parquet = pl.read_parquet(tmp_path / "flags.parquet")
    assert parquet.columns == [*columns, "rule_name"]
    assert sorted(parquet["rule_name"]) == ["Banded at or above the position it reports to",
                                            "retired_rule"]


def test_an_unknown_table_lists_the_tables(empty: Path, tmp_path: Path) -> None:
    result = export(empty, "salaries", tmp_path / "salaries.csv")
    assert result.exit_code == 2
    message = flat(result.output)
    assert message.startswith("error: no table 'salaries' in the warehouse (tables: ")
    listed = message.removeprefix("error: no table 'salaries' in the warehouse (tables: ")
    assert {"flags", "load_audit", "positions", "quarantine"} <= set(
        listed.rstrip(")").split(", "))
    assert "Traceback" not in result.output
    assert not (tmp_path / "salaries.csv").exists()


def test_a_missing_warehouse_is_exit_2(tmp_path: Path) -> None:
    result = export(tmp_path / "none.duckdb", "flags", tmp_path / "flags.csv")
    assert result.exit_code == 2
    assert flat(result.output) == (f"error: warehouse {tmp_path / 'none.duckdb'} does not exist:"
                                   " run `workvalue run` first")


def test_an_unknown_ending_is_exit_2(empty: Path, tmp_path: Path) -> None:
    result = export(empty, "flags", tmp_path / "flags.json")
    assert flat(result.output) == ("error: cannot export to 'flags.json': the output must end "
                                   "in .csv, .xlsx, .parquet")
    assert result.exit_code == 2
