"""Privacy guards: formula escaping and small-count suppression, and the dashboard's downloads."""

from __future__ import annotations

import io

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.components import csv_bytes, excel_bytes
from pipeline.privacy import SUPPRESSED_FLAG, escape_formula_cells, suppress_small_counts

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
