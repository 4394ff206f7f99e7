"""Bad input at scale: random malformed CSV through the real pipeline loses nothing.

Hypothesis writes positions and determinations files that are wrong in every way a real extract
can be (random bytes, stray quotes, ragged lines, wrong encodings, odd values, cut short) and
runs them through pipeline.run.run_pipeline, in process, into a fresh warehouse. Whatever the
input, either the run refuses a whole file with an InputError that names it, or every file's
rows reconcile: read = loaded + quarantined, and the row numbers staged and quarantined are
disjoint and together are every row read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.contract import SPECS, ExtractKind
from pipeline.errors import InputError
from pipeline.load import LoadStatus
from pipeline.run import run_pipeline
from pipeline.schema import raw_table

TODAY = dt.date(2025, 12, 31)
KINDS = (ExtractKind.POSITIONS, ExtractKind.DETERMINATIONS)
PLAUSIBLE = {  # values a real extract might hold for a column, good and bad
    "snapshot_date": ["2025-06-30", "30/06/2025", "06/30/2025", "2025-02-30", "2025-06-30 00:00"],
    "decision_date": ["2024-01-15", "15/01/2024", "01/15/2024", "2099-01-01", "yesterday"],
    "jurisdiction": ["APS", "VPS", "VPS-PE", "WA", "aps", "NSW"],
    "agency_code": ["DEPA", "DEPB", " DEPA ", "A,B"],
    "agency_name": ["Department of Alpha", "Bureau \"Beta\"", "Ærø Département"],
    "position_id": ["P1", "P2", "P1", "p1", "=1+1"],
    "determination_id": ["D1", "D2", "D1"],
    "classification": ["SES Band 1", "SES2", "SES-3", "EL2", "APS 6", "Secretary", "Band 9"],
    "determined_classification": ["SES Band 1", "SES Band 2", "SB1", "Level 9", "?"],
    "stream": ["Delivery", "Public Policy", "Portfolio & Program", "Professional / Specialist"],
    "occupancy": ["occupied", "vacant", "acting", "retired"],
    "fte": ["1", "0.5", "1.5", "-1", "one"],
    "staff_managed": ["120", "1,200", "-3", "1e400"],
    "budget_managed": ["$1,200,000", "1200000", "$-5", "NaN"],
    "locations": ["1", "2.5", "many"],
    "total_points": ["30", "thirty", "56.0"],
}
FACTOR_VALUES = ["1", "3", "5", "7", "2", "0", "8", "x", "5.5"]
NASTY = st.text(alphabet=st.sampled_from(list('",;\n\r\t=\' aZé€\u00a0\u200b😀\x00\\')),
                max_size=8)


@dataclass(frozen=True)
class Extract:
    """One generated file: its name and its bytes."""

    name: str
    content: bytes


def value_for(column: str) -> st.SearchStrategy[str]:
    """Return values for a column: plausible ones, empty, or random text."""
    plausible = PLAUSIBLE.get(column, FACTOR_VALUES if column in (
        "knowledge", "relationships", "judgement_risk", "independence", "strategic_change",
        "impact", "breadth", "resource_management") else ["text", "Leads the function."])
    return st.one_of(st.sampled_from(plausible), st.just(""), st.just(" "), NASTY,
                     st.text(max_size=12))


@st.composite
def header(draw: st.DrawFn, kind: ExtractKind, broken: bool) -> list[str]:
    """Return a header: the contract's columns in any order and case, with extra ones.

    A broken header has a required column missing or a column named twice.
    """
    columns = list(SPECS[kind].columns)
    columns = draw(st.permutations(columns)) if draw(st.booleans()) else columns
    kept = [column for column in columns
            if column in SPECS[kind].required or draw(st.integers(0, 3)) > 0]
    if broken:
        kept = kept[1:] if draw(st.booleans()) else [*kept, kept[0]]
    kept += draw(st.lists(st.sampled_from(["notes", "Unknown Col", "", "extra 1"]),
                          max_size=2))
    spell = draw(st.sampled_from([str, str.upper, str.title, lambda name: f" {name} "]))
    return [spell(name) for name in kept]


@st.composite
def rows(draw: st.DrawFn, columns: list[str]) -> list[list[str]]:
    """Return data rows: fields per column, some rows short or long, some repeated."""
    made: list[list[str]] = []
    for _ in range(draw(st.integers(0, 8))):
        row = [draw(value_for(column.strip().lower())) for column in columns]
        change = draw(st.integers(0, 9))
        if change == 0:
            row = row[:draw(st.integers(0, len(row)))]  # a short line
        elif change == 1:
            row += draw(st.lists(NASTY, min_size=1, max_size=3))  # a long line
        elif change == 2 and made:
            row = list(made[-1])  # a repeat
        made.append(row)
    return made


def written(lines: list[list[str]], style: str, newline: str) -> str:
    """Return lines as CSV text: properly quoted, quoted throughout, or naively joined."""
    if style == "naive":
        return "".join(",".join(line) + newline for line in lines)
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if style == "quoted" else csv.QUOTE_MINIMAL
    csv.writer(buffer, quoting=quoting, lineterminator=newline).writerows(lines)
    return buffer.getvalue()


@st.composite
def extract(draw: st.DrawFn, kind: ExtractKind, index: int, broken: bool) -> Extract:
    """Return one malformed extract file of a kind.

    Its rows are damaged every way (values, quotes, line lengths, stray bytes, cut short); a
    broken file is damaged as a whole too (its header, or an encoding that is not text).
    """
    columns = draw(header(kind, broken and draw(st.booleans())))
    style = draw(st.sampled_from(["minimal", "minimal", "quoted", "naive"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8"] * 3 + ["utf-8-sig", "cp1252"]
                                    + (["utf-16"] if broken else [])))
    head = written([columns], style, newline).encode(encoding, errors="replace")
    body = written(draw(rows(columns)), style, newline).encode(
        "cp1252" if encoding == "cp1252" else "utf-8", errors="replace")
    if encoding == "utf-16":
        body = body.decode("utf-8").encode("utf-16-le")
    content = head + body
    start = 0 if broken else len(head)  # only a broken file is damaged in its header
    damage = draw(st.integers(0, 5))
    if damage == 0:  # random bytes somewhere
        at = draw(st.integers(start, len(content)))
        content = content[:at] + draw(st.binary(min_size=1, max_size=6)) + content[at:]
    elif damage == 1:  # cut short
        content = content[:draw(st.integers(start, len(content)))]
    return Extract(f"{kind.value}_hyp_{index}.csv", content)


@st.composite
def extract_folders(draw: st.DrawFn) -> list[Extract]:
    """Return the files of one input folder: one or two of each kind, one in five broken."""
    broken = draw(st.integers(0, 4)) == 0
    files = [draw(extract(kind, index, broken=False)) for kind in KINDS
             for index in range(draw(st.integers(1, 2)))]
    if broken:
        chosen = draw(st.integers(0, len(files) - 1))
        files[chosen] = draw(extract(KINDS[files[chosen].name.startswith("determinations")],
                                     chosen, broken=True))
    return files


def row_numbers(connection: duckdb.DuckDBPyConnection, table: str,
                source_file: str) -> list[int]:
    """Return a file's row numbers in a table, as stored (repeats kept)."""
    return [row[0] for row in connection.execute(
        f"select row_number from {table} where source_file = ?", [source_file]).fetchall()]


def check_reconciles(warehouse: Path, files: list[Extract],
                     statuses: dict[str, LoadStatus]) -> None:
    """Assert every loaded file's rows reconcile, in the run summary and in the warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for file in files:
            kind = next(kind for kind in KINDS if file.name.startswith(kind.value))
            audit = connection.execute(
                "select rows_read, rows_loaded, rows_quarantined from load_audit"
                " where source_file = ?", [file.name]).fetchall()
            if statuses[file.name] == LoadStatus.UNCHANGED:  # same bytes as another file
                assert audit == []
                continue
            [(read, loaded, quarantined)] = audit
            assert read == loaded + quarantined
            staged = row_numbers(connection, SPECS[kind].table, file.name)
            held = row_numbers(connection, "quarantine", file.name)
            raw = row_numbers(connection, raw_table(kind), file.name)
            assert len(staged) == loaded and len(held) == quarantined
            assert len(set(staged)) == len(staged) and len(set(held)) == len(held)
            assert not set(staged) & set(held)
            assert set(raw) <= set(staged) | set(held)
            assert len(set(staged) | set(held)) == read


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(extract_folders())
def test_malformed_csv_is_refused_whole_or_reconciles_row_by_row(files: list[Extract]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "in").mkdir()
        for file in files:
            (root / "in" / file.name).write_bytes(file.content)
        warehouse = root / "w.duckdb"
        try:
            summary = run_pipeline(root / "in", warehouse, today=TODAY)
        except InputError as error:
            event("a file refused whole")
            assert error.source_file in {file.name for file in files}
            assert error.source_file in str(error)
            assert not warehouse.exists()  # refused whole: nothing published
            return
        event("every file loaded")
        statuses = {outcome.source_file: outcome.status for outcome in summary.files}
        assert set(statuses) == {file.name for file in files}
        for outcome in summary.files:
            if outcome.status != LoadStatus.UNCHANGED:
                assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined
        check_reconciles(warehouse, files, statuses)
