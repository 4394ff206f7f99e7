"""Privacy: what a published table must not carry, as pure functions on polars frames.

Two guards, used by every download and by every table that compares agencies:

- spreadsheet formulas: a text cell that starts with =, +, -, @, a tab or a carriage return
  would be run as a formula by a spreadsheet (CSV injection); it gets a leading apostrophe.
- small counts: a count of 1 to ``threshold - 1`` people or positions can single someone
  out; it is blanked (null), and so is every value derived from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
FORMULA_ESCAPE = "'"
SMALL_COUNT_THRESHOLD = 5
SUPPRESSED_FLAG = "is_suppressed"


def escape_formula_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with every text cell a spreadsheet would run as a formula escaped.

    Text columns only: a cell matching FORMULA_START gets a leading apostrophe, which
    spreadsheets show as text. Numbers, dates and nulls are left as they are.
    """
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit(FORMULA_ESCAPE) + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def suppress_small_counts(frame: pl.DataFrame, count_columns: Sequence[str],
                          threshold: int = SMALL_COUNT_THRESHOLD, *,
                          derived_columns: Sequence[str] = ()) -> pl.DataFrame:
    """Return the frame with counts from 1 to threshold - 1 blanked, and a suppression flag.

    A zero stays zero (it singles no one out). ``derived_columns`` (shares, rates, averages
    computed from the counts) are blanked on every row where any count was blanked. The added
    boolean column ``is_suppressed`` says which rows lost a value, so a page can say so.
    """
    missing = [name for name in (*count_columns, *derived_columns) if name not in frame.columns]
    if missing:
        raise ValueError(f"suppress_small_counts: no column {', '.join(missing)} in the frame")
    if not count_columns:
        return frame.with_columns(pl.lit(False).alias(SUPPRESSED_FLAG))
    small = [pl.col(name).is_between(1, threshold, closed="left").fill_null(False)
             for name in count_columns]
    flagged = frame.with_columns(pl.any_horizontal(small).alias(SUPPRESSED_FLAG))
    return flagged.with_columns(
        *[pl.when(is_small).then(None).otherwise(pl.col(name)).alias(name)
          for name, is_small in zip(count_columns, small, strict=True)],
        *[pl.when(pl.col(SUPPRESSED_FLAG)).then(None).otherwise(pl.col(name)).alias(name)
          for name in derived_columns],
    )
