"""Privacy guards: formula escaping and small-count suppression, the dashboard's downloads, and
personal names, which are loaded only when asked for."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.components import csv_bytes, excel_bytes
from pipeline import duck
from pipeline.privacy import SUPPRESSED_FLAG, escape_formula_cells, suppress_small_counts
from pipeline.read import ReadOptions
from pipeline.run import run_pipeline
from tests.helpers import TESTS, TODAY

RISKY = ["=SUM(A1:A2)", "+61 3 9000 0000", "-5", "@cmd", "\tx", "\rx"]
SAFE = ["SES1", "a=b", " =leading space", "", "Chief Economist"]


def test_escape_formula_cells_prefixes_only_cells_a_spreadsheet_would_run() -> None:
    frame = pl.DataFrame({"text": [*RISKY, *SAFE, None], "number": list(range(12))})
    escaped = escape_formula_cells(frame)
    assert escaped["text"].to_list() == [*[f"'{cell}" for cell in RISKY], *SAFE, None]
    assert escaped["number"].to_list() == list(range(12))


def test_escape_formula_cells_leaves_non_text_columns_alone() -> None:
    frame = pl.DataFrame({"n": [-1, 2], "x": [-1.5, 2.0], "d": ["2025-06-30", "-"]}).with_columns(
        pl.col("d").str.to_date(strict=False))
    assert escape_formula_cells(frame).equals(frame)


@given(st.lists(st.text(max_size=12) | st.none(), max_size=20))
def test_an_escaped_cell_never_starts_a_formula(cells: list[str | None]) -> None:
    escaped = escape_formula_cells(pl.DataFrame({"cell": cells}, schema={"cell": pl.String}))
    for before, after in zip(cells, escaped["cell"].to_list(), strict=True):
        if before is None:
            assert after is None
        elif before[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert after == "'" + before
        else:
            assert after == before


def test_suppress_small_counts_blanks_one_to_four_and_what_derives_from_them() -> None:
    frame = pl.DataFrame({"agency": ["A", "B", "C", "D", "E"], "count": [0, 1, 4, 5, None],
                          "other": [9, 9, 9, 9, 2], "share": [0.0, 0.1, 0.4, 0.5, 0.6]})
    result = suppress_small_counts(frame, ["count", "other"], derived_columns=["share"])
    assert result["count"].to_list() == [0, None, None, 5, None]
    assert result["other"].to_list() == [9, 9, 9, 9, None]
    assert result["share"].to_list() == [0.0, None, None, 0.5, None]
    assert result[SUPPRESSED_FLAG].to_list() == [False, True, True, False, True]
    assert result["agency"].to_list() == frame["agency"].to_list()


def test_suppress_small_counts_threshold_and_errors() -> None:
    frame = pl.DataFrame({"count": [2, 3]})
    assert suppress_small_counts(frame, ["count"], threshold=3)["count"].to_list() == [None, 3]
    assert suppress_small_counts(frame, [])[SUPPRESSED_FLAG].to_list() == [False, False]
    with pytest.raises(ValueError, match="no column missing"):
        suppress_small_counts(frame, ["missing"])


def test_downloads_escape_formulas_in_csv_and_xlsx() -> None:
    frame = pl.DataFrame({"position_title": ['=HYPERLINK("http://example.invalid","Legal")',
                                             "Secretary"], "points": [31, 56]})
    csv_text = csv_bytes(frame).decode("utf-8")
    assert csv_text.splitlines()[1] == '"\'=HYPERLINK(""http://example.invalid"",""Legal"")",31'
    workbook = pl.read_excel(io.BytesIO(excel_bytes(frame, "flags")), sheet_name="flags")
    assert workbook["position_title"].to_list() == [
        '\'=HYPERLINK("http://example.invalid","Legal")', "Secretary"]
    assert workbook["points"].to_list() == [31, 56]


ORGANOGRAM = TESTS / "privacy" / "example_agency-2025-06-30-senior.csv"
NAMES = ("Jane Citizen", "John Q Public")
CONTACTS = ("020 7946 0001", "jane.citizen@example.gov.uk", "john.public@example.gov.uk")


def load_organogram(tmp_path: Path, include_names: bool) -> Path:
    """Return a warehouse holding the tiny organogram, loaded with or without names."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ORGANOGRAM, folder / ORGANOGRAM.name)
    path = tmp_path / "w.duckdb"
    run_pipeline(folder, path, today=TODAY, read_options=ReadOptions(include_names=include_names))
    return path


def tables_holding(path: Path, text: str) -> list[str]:
    """Return the warehouse tables with a row whose any value contains the text."""
    with duckdb.connect(str(path), read_only=True) as connection:
        return [table for table in duck.table_names(connection)
                if connection.execute(f'select count(*) from "{table}" as t'
                                      " where contains(t::varchar, ?)", [text]).fetchall()[0][0]]


@pytest.mark.parametrize("include_names", [False, True], ids=["default", "include-names"])
def test_organogram_names_are_stored_only_when_asked(tmp_path: Path,
                                                     include_names: bool) -> None:
    path = load_organogram(tmp_path, include_names)
    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute("select position_id, extra_columns->>'name' as name,"
                                  " json_exists(extra_columns, '$.name') from raw_positions"
                                  " order by position_id").fetchall()
        assert connection.execute("select count(*) from positions").fetchall() == [(3,)]
    if include_names:
        assert rows == [("1", "Jane Citizen", True), ("2", "John Q Public", True),
                        ("3", "Vacant", True)]
    else:
        assert rows == [("1", None, False), ("2", None, False), ("3", None, False)]
        for name in NAMES:
            assert tables_holding(path, name) == []
    for contact in CONTACTS:  # phone numbers and e-mail addresses: never
        assert tables_holding(path, contact) == []
