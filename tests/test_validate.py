"""Validate: a batch too large for one Great Expectations call is checked in chunks, same answer.

The malformed fixtures break row rules (missing values, unknown codes, out-of-range dates and
scores) and key rules (a key repeated within a file, rows far apart), so a chunk of three rows
separates most repeated keys from each other: the key rules must still see them together.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipeline import validate, warehouse
from pipeline.contract import ExtractKind
from pipeline.load import STAGED_BATCH, stage_extracts
from pipeline.read import ExtractFile, read_extract
from pipeline.validate import Validator, suite_columns
from tests.helpers import TESTS, TODAY

FILES = {ExtractKind.POSITIONS: "positions_malformed.csv",
         ExtractKind.DETERMINATIONS: "determinations_malformed.csv"}


def staged(kind: ExtractKind) -> pl.DataFrame:
    """Return a malformed fixture's staged rows as the loader hands them to the suite."""
    name = FILES[kind]
    connection = duckdb.connect()
    warehouse.prepare(connection)
    stage_extracts(connection, [read_extract(ExtractFile(TESTS / "malformed" / name, name, kind))])
    columns = ", ".join(f'"{column}"' for column in ("source_file", "row_number",
                                                     *suite_columns(kind)))
    return connection.sql(f"select {columns} from {STAGED_BATCH}").pl()


@pytest.fixture(scope="module")
def validator() -> Validator:
    """Return one validator for the module (Great Expectations is slow to start)."""
    return Validator(today=TODAY)


def by_row(problems: pl.DataFrame) -> list[dict[str, object]]:
    """Return problems row by row, each row's in the order found (the order its reasons read)."""
    return problems.sort("source_file", "row_number", maintain_order=True).to_dicts()


@pytest.mark.parametrize("kind", list(FILES), ids=lambda kind: kind.value)
def test_chunked_validation_finds_the_same_problems_in_the_same_order(
        kind: ExtractKind, validator: Validator, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = staged(kind)
    whole = validator.problems(kind, rows)
    monkeypatch.setattr(validate, "CHUNK_ROWS", 3)
    chunked = validator.problems(kind, rows)
    assert rows.height > 3 * 3  # several chunks
    assert by_row(chunked) == by_row(whole)
    assert whole.height >= 10


def test_a_key_repeated_across_chunks_is_found_in_every_copy(
        validator: Validator, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = staged(ExtractKind.POSITIONS)
    clean = rows.join(validator.problems(ExtractKind.POSITIONS, rows),
                      on=["source_file", "row_number"], how="anti").row(0, named=True)
    last = rows["row_number"].max() + 1  # type: ignore[operator]
    copy = pl.DataFrame([{**clean, "row_number": last, "position_title": "Copy"}],
                        schema=rows.schema)
    monkeypatch.setattr(validate, "CHUNK_ROWS", 3)
    problems = validator.problems(ExtractKind.POSITIONS, pl.concat([rows, copy]))
    repeated = problems.filter(pl.col("reason").str.contains("more than once"))
    assert sorted(set(repeated["row_number"]) & {clean["row_number"], last}) == [
        clean["row_number"], last]
    assert (last - 1) // 3 != (clean["row_number"] - 1) // 3  # the copies are chunks apart
