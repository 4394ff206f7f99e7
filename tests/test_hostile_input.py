"""Hostile and odd input files: each is loaded, or refused with exit 2 naming it, never skipped.

Every case runs the real command line (in process) on a real folder; where a file loads, its
rows read are its rows loaded plus its rows quarantined.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter
from click.testing import Result
from typer.testing import CliRunner

from pipeline import cli, workbook
from pipeline.contract import SPECS, ExtractKind
from pipeline.read import ExtractFile, read_extract

HEADER = ",".join(SPECS[ExtractKind.POSITIONS].required) + ",fte"
ROW = "2025-06-30,APS,DOF,Department of Finance,{id},Director {id},SES Band 1,1"
MB = 1 << 20


def invoke(folder: Path, warehouse: Path, *extra: str) -> Result:
    """Return the result of `workvalue run` on a folder, in process."""
    return CliRunner().invoke(cli.app, ["run", "--input", str(folder), "--warehouse",
                                        str(warehouse), *extra])


def positions_csv(*ids: str) -> str:
    """Return a valid positions extract with one row per id."""
    return "\n".join([HEADER, *(ROW.format(id=each) for each in ids)]) + "\n"


def audited(warehouse: Path) -> list[tuple[object, ...]]:
    """Return every load_audit row's file, rows read, loaded and quarantined."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("select source_file, rows_read, rows_loaded, rows_quarantined"
                                  " from load_audit order by source_file").fetchall()


def reconciles(rows: list[tuple[object, ...]]) -> bool:
    """Return whether every audited file's rows read are its rows loaded plus quarantined."""
    return all(read == loaded + quarantined for _, read, loaded, quarantined in rows)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return an input folder holding one good positions extract."""
    path = tmp_path / "in"
    path.mkdir()
    (path / "positions_good.csv").write_text(positions_csv("P1"))
    return path


# ---- What is under --input ---------------------------------------------------------------------

def test_an_unreadable_subfolder_stops_the_run_naming_it(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = folder / "2024"
    locked.mkdir()
    (locked / "positions_old.csv").write_text(positions_csv("P2"))
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any folder: refuse this one as the kernel would another user
        listing = os.scandir

        def scandir(path: object = ".") -> object:
            if Path(os.fsdecode(path)) == locked:
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return listing(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        result = invoke(folder, tmp_path / "w.duckdb")
    finally:
        locked.chmod(0o755)
    assert (result.exit_code, result.output) == (
        2, f"error: folder {locked} under the input cannot be read (Permission denied): nothing"
           " was loaded\n")
    assert not (tmp_path / "w.duckdb").exists()


def test_a_symlink_loop_stops_the_run_naming_it(folder: Path, tmp_path: Path) -> None:
    (folder / "positions_loop.csv").symlink_to("positions_loop.csv")
    result = invoke(folder, tmp_path / "w.duckdb")
    assert (result.exit_code, result.output) == (
        2, "error: file positions_loop.csv: is a link that leads nowhere (a loop, or a missing"
           " file)\n")


def test_a_link_out_of_the_input_is_refused_and_its_content_never_shown(
        folder: Path, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "credentials.csv"
    secret.parent.mkdir()
    secret.write_text("SECRET_TOKEN=abc123\n")
    (folder / "positions_x.csv").symlink_to(secret)
    result = invoke(folder, tmp_path / "w.duckdb")
    assert (result.exit_code, result.output) == (
        2, "error: file positions_x.csv: is a link to a file outside the input folder, and was"
           " not read (give --allow-outside-input to read such files)\n")
    assert "SECRET" not in result.output


def test_a_link_out_of_the_input_is_read_when_allowed(folder: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "positions_shared.csv"
    shared.parent.mkdir()
    shared.write_text(positions_csv("P7", "P8"))
    (folder / "positions_shared.csv").symlink_to(shared)
    result = invoke(folder, tmp_path / "w.duckdb", "--allow-outside-input")
    assert result.exit_code == 0, result.output
    assert audited(tmp_path / "w.duckdb") == [("positions_good.csv", 1, 1, 0),
                                              ("positions_shared.csv", 2, 2, 0)]


def test_a_link_to_a_folder_is_refused_not_skipped(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "positions_more.csv").write_text(positions_csv("P3"))
    (folder / "more").symlink_to(tmp_path / "more")
    result = invoke(folder, tmp_path / "w.duckdb")
    assert (result.exit_code, result.output) == (
        2, "error: folder more under the input is a link, which is not followed: give the"
           " folder it leads to as --input, or copy it\n")


def test_a_file_name_that_is_not_utf8_loads_under_an_escaped_name(
        folder: Path, tmp_path: Path) -> None:
    name = os.fsencode(folder) + b"/positions_caf\xe9.csv"
    with open(name, "wb") as handle:
        handle.write(positions_csv("P4").encode())
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.output
    assert "positions_caf\\xe9.csv: loaded: 1 read, 1 loaded, 0 quarantined" in result.output
    assert audited(tmp_path / "w.duckdb") == [("positions_caf\\xe9.csv", 1, 1, 0),
                                              ("positions_good.csv", 1, 1, 0)]


# ---- What a file holds ---------------------------------------------------------------------------

def test_bare_cr_crlf_and_lf_all_end_lines(folder: Path, tmp_path: Path) -> None:
    rows = [ROW.format(id=f"C{index}") for index in range(9)]
    endings = ["\r", "\n", "\r\n", "\r", "\r", "\n", "\r\n", "\r", "\n"]
    (folder / "positions_mixed.csv").write_bytes(
        (HEADER + "\r\n" + "".join(row + end for row, end in zip(rows, endings, strict=True))
         ).encode())
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.output
    assert ("positions_mixed.csv", 9, 9, 0) in audited(tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        assert connection.execute("select position_id from positions where source_file ="
                                  " 'positions_mixed.csv' order by row_number").fetchall() == [
            (f"C{index}",) for index in range(9)]


def formula_workbook(*, cached: bool) -> bytes:
    """Return a positions workbook whose rows 2 and 3 hold formulas no program calculated.

    As xlsxwriter writes them (a placeholder 0 and "calculate on load"), or with no value at all.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    columns = HEADER.split(",")
    sheet.write_row(0, 0, columns)
    for row, values in enumerate([ROW.format(id=f"X{n}").split(",") for n in (1, 2, 3)], 1):
        sheet.write_row(row, 0, values)
    sheet.write_formula(2, columns.index("fte"), "=1/2")
    sheet.write_formula(3, columns.index("position_title"), '="Dir"&"ector"')
    book.close()
    if cached:
        return buffer.getvalue()
    return rewritten(buffer.getvalue(), "xl/worksheets/sheet1.xml",
                     lambda xml: xml.replace(b"</f><v>0</v>", b"</f>"))


def rewritten(content: bytes, part: str, change: object) -> bytes:
    """Return a zip archive with one part's bytes changed by change(bytes) -> bytes."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry)
            archive.writestr(entry.filename, change(data) if entry.filename == part else data)
    return target.getvalue()


@pytest.mark.parametrize("cached", [True, False], ids=["placeholder value", "no value"])
def test_formula_cells_without_a_value_are_quarantined_not_invented(
        folder: Path, tmp_path: Path, cached: bool) -> None:
    (folder / "positions_formulas.xlsx").write_bytes(formula_workbook(cached=cached))
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.output
    assert ("positions_formulas.xlsx", 3, 1, 2) in audited(tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        assert connection.execute("select position_id, fte, position_title from positions"
                                  " where source_file = 'positions_formulas.xlsx'").fetchall() == [
            ("X1", 1.0, "Director X1")]
        reasons = connection.execute("select row_number, reason from quarantine where"
                                     " source_file = 'positions_formulas.xlsx' order by 1"
                                     ).fetchall()
    assert reasons == [
        (2, "fte: '=1/2' is a formula without a value (the workbook was saved by a program that"
            " does not calculate: open and save it in a spreadsheet program); no value is"
            " invented"),
        (3, "position_title: '=\"Dir\"&\"ector\"' is a formula without a value (the workbook was"
            " saved by a program that does not calculate: open and save it in a spreadsheet"
            " program); no value is invented")]


def test_a_parquet_nested_column_is_kept_as_json_text(folder: Path, tmp_path: Path) -> None:
    columns = HEADER.split(",")
    frame = pl.DataFrame([dict(zip(columns, ROW.format(id="N1").split(","), strict=True))])
    frame.with_columns(pl.Series("tags", [["policy", "legal"]])).write_parquet(
        folder / "positions_nested.parquet")
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.output
    assert ("positions_nested.parquet", 1, 1, 0) in audited(tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        [(extra,)] = connection.execute("select extra_columns::varchar from raw_positions where"
                                        " source_file = 'positions_nested.parquet'").fetchall()
    assert json.loads(extra) == {"tags": '["policy","legal"]'}


def test_an_extra_column_named_like_a_repeat_is_not_a_repeat(folder: Path,
                                                              tmp_path: Path) -> None:
    (folder / "positions_second.csv").write_text(
        f"{HEADER},fte_2\n{ROW.format(id='F1')},0.4\n")
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.output
    assert ("positions_second.csv", 1, 1, 0) in audited(tmp_path / "w.duckdb")
    (folder / "positions_repeat.csv").write_text(f"{HEADER},fte\n{ROW.format(id='F2')},0.4\n")
    result = invoke(folder, tmp_path / "w2.duckdb")
    assert (result.exit_code, result.output) == (
        2, "error: file positions_repeat.csv, column 'fte': appears more than once in the"
           " header\n")


def test_a_reader_bug_is_an_internal_error_not_a_bad_file(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(pl, "read_csv", broken)
    file = ExtractFile(folder / "positions_good.csv", "positions_good.csv",
                       ExtractKind.POSITIONS)
    with pytest.raises(KeyError):
        read_extract(file)


# ---- A zip bomb ----------------------------------------------------------------------------------

MEASURE = """
import sys
from pathlib import Path
from pipeline.errors import InputError
from pipeline.read import discover, read_extract
try:
    read_extract(discover(Path(sys.argv[1]))[0])
except InputError as error:
    print(error)
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) // 1024)
"""


STRINGS_START, STRINGS_END = b'<sst count="1" uniqueCount="1"><si><t>', b"</t></si></sst>"


def bomb(expanded: int) -> bytes:
    """Return a small workbook whose shared strings expand to `expanded` bytes of one string."""
    buffer = io.BytesIO()
    pl.DataFrame({"year": ["2025"]}).write_excel(buffer)
    target = io.BytesIO()
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            if entry.filename != "xl/sharedStrings.xml":
                archive.writestr(entry.filename, source.read(entry))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(STRINGS_START)
            for _ in range(expanded // MB):
                strings.write(b"A" * MB)
            strings.write(STRINGS_END)
    return target.getvalue()


def test_a_zip_bomb_workbook_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    content = bomb(4 * workbook.ENTRY_LIMIT)
    assert len(content) < 2 * MB
    (folder / "maturity_bomb.xlsx").write_bytes(content)
    measured = subprocess.run([sys.executable, "-c", MEASURE, str(folder)], capture_output=True,
                              text=True, timeout=120, check=True)
    message, peak_mb = measured.stdout.splitlines()
    expanded = 4 * workbook.ENTRY_LIMIT + len(STRINGS_START) + len(STRINGS_END)
    assert message.startswith("file maturity_bomb.xlsx: its part xl/sharedStrings.xml would"
                              " expand ")
    assert f" bytes to {expanded:,} (" in message
    assert message.endswith("times): refused unread, as a zip bomb (a part may expand to 64 MB,"
                            " or 100 times)")
    assert int(peak_mb) < 400  # the 256 MB string was never expanded
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 2
    assert result.output.startswith("error: file maturity_bomb.xlsx: its part")


def test_every_loaded_case_reconciles(folder: Path, tmp_path: Path) -> None:
    (folder / "positions_second.csv").write_text(f"{HEADER},fte_2\n{ROW.format(id='F1')},0.4\n")
    (folder / "positions_formulas.xlsx").write_bytes(formula_workbook(cached=False))
    (folder / "positions_mixed.csv").write_bytes(
        f"{HEADER}\r{ROW.format(id='M1')}\r{ROW.format(id='M2')}\n".encode())
    result = invoke(folder, tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.output
    rows = audited(tmp_path / "w.duckdb")
    assert len(rows) == 4 and reconciles(rows)
