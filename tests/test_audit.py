"""Audit: every load, review decision and export is recorded (who, when, what) and exportable.

Loads are in load_audit (loaded_at, loaded_by), decisions in flag_reviews (reviewed_at,
reviewer), exports in FILE.audit.jsonl beside the warehouse (an export opens the warehouse
read-only). `workvalue audit` lists the three as one trail. The dashboard's downloads are
recorded too: see test_access.py, which clicks every download of a scoped dashboard.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import Result
from dashboard.build import build_warehouse
from typer.testing import CliRunner

from pipeline import cli, schema
from pipeline.audit import audit_path, current_user
from tests.helpers import TESTS, copy_fixtures, run


def invoke(*arguments: str) -> Result:
    """Return the result of the command line run in this process."""
    return CliRunner().invoke(cli.app, list(arguments), env={"COLUMNS": "300"})


def exports_recorded(path: Path) -> list[dict[str, object]]:
    """Return the lines of a warehouse's export audit file."""
    return [json.loads(line) for line in
            audit_path(path).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the dashboard fixture warehouse (flags with known keys), built once."""
    return build_warehouse(tmp_path_factory.mktemp("audit") / "fixture.duckdb")


@pytest.fixture
def writable(fixture_warehouse: Path, tmp_path: Path) -> Path:
    """Return a fresh copy of the fixture warehouse for a test that writes to it."""
    return shutil.copy(fixture_warehouse, tmp_path / "w.duckdb")


def test_every_load_records_who_loaded_it(tmp_path: Path) -> None:
    folder = copy_fixtures("cli", "maturity_dof.csv", "positions_dof.csv", into=tmp_path / "in")
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    run(folder, tmp_path / "w.duckdb", stages=False)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        rows = connection.execute("select source_file, loaded_by, loaded_at from load_audit"
                                  " order by source_file").fetchall()
    assert [(name, who) for name, who, _ in rows] == [
        ("maturity_dof.csv", current_user()), ("positions_dof.csv", current_user())]
    assert all(when >= before.replace(microsecond=0) for _, _, when in rows)


def test_a_warehouse_from_before_loaded_by_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as connection:
        schema.prepare(connection)
        for later in ("loaded_by", "note", "staged_with"):  # columns added since
            connection.execute(f"alter table load_audit drop column {later}")
        connection.execute("insert into load_audit values ('earlier.csv', 'abc', 'positions',"
                           " 1, 1, 0, timestamp '2025-01-01 00:00:00', null, null)")
    folder = copy_fixtures("cli", "positions_dof.csv", into=tmp_path / "in")
    run(folder, path, stages=False)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("select source_file, loaded_by from load_audit"
                                  " order by source_file").fetchall() == [
            ("earlier.csv", None), ("positions_dof.csv", current_user())]


def test_an_export_is_recorded_beside_the_warehouse(writable: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "flags.csv"
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    result = invoke("export", "flags", "--warehouse", str(writable), "--output", str(output))
    assert result.exit_code == 0, result.output
    [entry] = exports_recorded(writable)
    assert entry == {"at": entry["at"], "who": current_user(), "action": "export",
                     "table": "flags", "rows": 7, "output": str(output.resolve()),
                     "agency": None}
    assert dt.datetime.fromisoformat(str(entry["at"])) >= before


def test_an_export_that_cannot_be_recorded_is_not_made(writable: Path, tmp_path: Path) -> None:
    audit_path(writable).mkdir()  # the audit file cannot be opened for writing
    output = tmp_path / "flags.csv"
    result = invoke("export", "flags", "--warehouse", str(writable), "--output", str(output))
    assert result.exit_code == 2
    assert "the export cannot be recorded in the audit file" in result.output
    assert "nothing was exported" in result.output
    assert not output.exists()


def test_the_audit_command_lists_loads_reviews_and_exports(writable: Path,
                                                           tmp_path: Path) -> None:
    reviewed = invoke("review", "f-p035-points", "--decision", "act", "--note",
                      "Re-evaluate the role.", "--reviewer", "R07", "--warehouse",
                      str(writable))
    assert reviewed.exit_code == 0, reviewed.output
    assert invoke("export", "positions", "--warehouse", str(writable), "--output",
                  str(tmp_path / "positions.parquet")).exit_code == 0
    result = invoke("audit", "--warehouse", str(writable))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5 + 2 + 1  # five loads, two decisions, one export
    assert sum(" load " in line for line in lines) == 5
    review = next(line for line in lines if "f-p035-points" in line)
    assert " review   R07  f-p035-points [DEPA]: act (band_points_mismatch on P035): " \
           "Re-evaluate the role." in review
    export = lines[-1]
    assert f" export   {current_user()}  positions: to {tmp_path / 'positions.parquet'}" in export


def test_the_audit_trail_is_exportable_and_its_export_recorded(writable: Path,
                                                               tmp_path: Path) -> None:
    output = tmp_path / "audit.csv"
    result = invoke("audit", "--warehouse", str(writable), "--output", str(output))
    assert result.exit_code == 0, result.output
    trail = pl.read_csv(output)
    assert trail.columns == ["at", "action", "who", "subject", "agency_code", "rows", "detail"]
    assert trail["action"].to_list().count("load") == 5
    assert trail["action"].to_list().count("review") == 1
    assert trail.filter(pl.col("action") == "load")["rows"].sum() == 124
    [entry] = exports_recorded(writable)
    assert (entry["table"], entry["rows"], entry["output"]) == ("audit", 6, str(output))


def test_an_unreadable_audit_line_is_shown_not_dropped(writable: Path) -> None:
    audit_path(writable).write_text('{"at": "2025-01-01T00:00:00", "who": "a", "action": '
                                    '"export", "table": "flags", "rows": 1, "output": "x", '
                                    '"agency": null}\n{"at": "2025-0\n', encoding="utf-8")
    result = invoke("audit", "--warehouse", str(writable))
    assert result.exit_code == 0, result.output
    assert "flags: to x" in result.output
    assert 'line 2 of w.duckdb.audit.jsonl cannot be read: {"at": "2025-0' in result.output


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    commands = [command.name or command.callback.__name__  # type: ignore[union-attr]
                for command in cli.app.registered_commands]
    assert "audit" in commands
    assert [name for name in commands if f"workvalue {name}" not in readme] == []
