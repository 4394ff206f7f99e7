"""Staging: the cleaning rules of the contract, through the real DuckDB macros and models."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.contract import ExtractKind
from pipeline.settings import sql_text
from tests.helpers import load_rows, position, reasons_by_row, rows_of

DATE_EXPECTED = "a date (write YYYY-MM-DD or DD/MM/YYYY; dates are never read month-first)"


@pytest.fixture(scope="module")
def macros() -> Iterator[duckdb.DuckDBPyConnection]:
    """Return a connection holding only the macros (for the macro-level and property tests)."""
    connection = duckdb.connect()
    connection.execute(sql_text("macros.sql"))
    yield connection
    connection.close()


def one(connection: duckdb.DuckDBPyConnection, macro: str, value: str | None) -> object:
    """Return a macro applied to one text value."""
    return connection.execute(f"select {macro}(?::varchar)", [value]).fetchall()[0][0]


@dataclass(frozen=True)
class Staged:
    """Every case of this module loaded as one positions extract: each case is one position."""

    loaded: dict[str, dict[str, Any]]  # position_id -> the positions row
    reasons: dict[str, str]  # position_id -> the quarantine reason


def case_id(*parts: object) -> str:
    """Return the position_id that identifies one parametrized case (trimmed, as staged)."""
    return "|".join(str(part) for part in parts).strip()


# ---- The cases, loaded together as one positions extract (one position per case) -----------

READABLE_DATES = [
    ("2025-06-30", dt.date(2025, 6, 30)),
    ("2025-6-3", dt.date(2025, 6, 3)),
    ("30/06/2025", dt.date(2025, 6, 30)),
    ("1/7/2025", dt.date(2025, 7, 1)),           # day first: 1 July, never 7 January
    ("01/07/2025", dt.date(2025, 7, 1)),
    ("2025-06-30 00:00:00", dt.date(2025, 6, 30)),  # a spreadsheet's date cell
    ("2025-06-30T00:00:00.000000", dt.date(2025, 6, 30)),
    ("  2025-06-30\t", dt.date(2025, 6, 30)),
]
UNREADABLE_DATES = [
    "12/31/2024",   # month first
    "1/13/2025",    # month first
    "1/7/25",       # two-digit year
    "30/06/25",
    "2025-13-01",
    "31/02/2025",
    "0000-01-01",
    "June 30 2025",
    "2025-06-30 13:45:00",  # a time of day: not a date
    "45838",        # a spreadsheet serial number
]
MONEY = [
    ("$1,200,000", 1_200_000.0),
    ("1,200,000", 1_200_000.0),
    ("1200000", 1_200_000.0),
    ("$ 950,000.50", 950_000.5),
    ("$250000", 250_000.0),
    (" 75000 ", 75_000.0),
]
UNREADABLE_NUMBERS = [
    ("budget_managed", "$1.2m", "budget_managed: '$1.2m' is not an amount (write 1200000 or "
                                "$1,200,000)"),
    ("budget_managed", "1,20,000", "budget_managed: '1,20,000' is not an amount (write 1200000"
                                   " or $1,200,000)"),
    ("fte", "full time", "fte: 'full time' is not a number"),
    ("fte", "NaN", "fte: 'NaN' is not a number"),
    ("staff_managed", "inf", "staff_managed: 'inf' is not a number"),
    ("locations", "2.5", "locations: '2.5' is not a whole number"),
    ("locations", "NaN", "locations: 'NaN' is not a whole number"),
    ("locations", "1e30", "locations: '1e30' is not a whole number"),
    ("planning_horizon_years", "five", "planning_horizon_years: 'five' is not a number"),
]
CLASSIFICATIONS = [
    # jurisdiction, as written, code, tier, rank (data/crosswalk.toml)
    ("APS", "SES Band 1", "SES1", "SES1", 10),
    ("APS", "SES1", "SES1", "SES1", 10),
    ("APS", "SES-1", "SES1", "SES1", 10),
    ("APS", "SB1", "SES1", "SES1", 10),
    ("APS", "ses band 1", "SES1", "SES1", 10),
    ("APS", "SES Band 3", "SES3", "SES3", 30),
    ("APS", "EL2", "EL2", "SUBSES", 9),
    ("APS", "EL 1", "EL1", "STAFF", 8),
    ("APS", "APS 6", "APS6", "STAFF", 7),
    ("APS", "Secretary", "HEAD", "HEAD", 50),
    ("APS", "Agency Head", "HEAD", "HEAD", 50),
    ("VPS", "VPS6", "VPS6", "STAFF", 8),
    ("VPS", "VPS 6.2", "VPS6", "STAFF", 8),
    ("VPS", "VPS Grade 7", "VPS7", "SUBSES", 9),
    ("VPS", "STS", "STS", "SUBSES", 9),
    ("VPS", "SES-2", "SES2", "SES2", 20),
    ("VPS", "Secretary", "HEAD", "HEAD", 50),
    ("VPS-PE", "PESES-2", "PESES2", "SES2", 20),
    ("VPS-PE", "PESES Band 1", "PESES1", "SES1", 10),
    ("VPS-PE", "Agency Head", "HEAD", "HEAD", 50),
    ("WA", "Class 3", "WA-CLASS3", "SES2", 20),
    ("WA", "SES Class 3", "WA-CLASS3", "SES2", 20),
    ("WA", "Level 9", "WA-L9", "SUBSES", 9),
    ("WA", "CEO Band 2", "WA-CEO2", "SES3", 30),
    ("WA", "Non-CEO Band 3", "WA-NONCEO3", "SES2", 20),
    ("WA", "Agency Head", "HEAD", "HEAD", 50),
    ("APS", "Level 9", None, None, None),      # a WA spelling in the APS: loaded, uncoded
    ("WA", "SES Band 1", None, None, None),    # an APS spelling in WA
    ("APS", "Band 7", None, None, None),
]
STREAMS = [
    ("APS", "Public Policy", "policy"),
    ("APS", "Policy", "policy"),
    ("APS", "Delivery", "delivery"),
    ("APS", "Professional / Specialist", "professional_specialist"),
    ("VPS", "Portfolio & Program", "portfolio_program"),
    ("VPS", "Professional/Specialist", "professional_specialist"),
    ("VPS-PE", "Project and Program", "portfolio_program"),
    ("WA", "professional  /  specialist", "professional_specialist"),
    ("WA", "CEO", "ceo"),
    ("APS", "Portfolio & Program", None),   # the APS has no portfolio and program stream
    ("VPS", "CEO", None),                   # nor has the VPS a CEO stream
    ("APS", "Corporate", None),
]


def cases() -> list[dict[str, str | None]]:
    """Return one positions row per case of this module, its position_id naming the case."""
    rows = [position(position_id=case_id("date", written), snapshot_date=written)
            for written, _ in READABLE_DATES]
    rows += [position(position_id=case_id("date", written), snapshot_date=written)
             for written in UNREADABLE_DATES]
    rows += [position(position_id=case_id("money", written), budget_managed=written)
             for written, _ in MONEY]
    rows += [position(position_id=case_id(column, written), **{column: written})
             for column, written, _ in UNREADABLE_NUMBERS]
    rows += [position(position_id=case_id(jurisdiction, written), jurisdiction=jurisdiction,
                      classification=written) for jurisdiction, written, *_ in CLASSIFICATIONS]
    rows += [position(position_id=case_id(jurisdiction, "stream", written),
                      jurisdiction=jurisdiction, stream=written)
             for jurisdiction, written, _ in STREAMS]
    rows.append(position(position_id="whole", locations="3.0", fte="1"))
    columns = sorted({column for row in rows for column in row})
    return [{column: row.get(column) for column in columns} for row in rows]


@pytest.fixture(scope="module")
def staged(prepared: duckdb.DuckDBPyConnection) -> Iterator[Staged]:
    """Return every case of the module loaded once through the real staging model."""
    rows = cases()
    outcome = load_rows(prepared, ExtractKind.POSITIONS, rows, name="positions_cases.csv")
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined == len(rows)
    loaded = {row["position_id"]: row for row in rows_of(prepared, "select * from positions")}
    reasons = {rows[number - 1]["position_id"]: reason for number, reason in
               reasons_by_row(prepared, "positions_cases.csv").items()}
    yield Staged(loaded, reasons)
    for table in ("positions", "raw_positions", "quarantine", "load_audit"):
        prepared.execute(f"delete from {table}")


# ---- Dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "expected"), READABLE_DATES)
def test_dates_iso_and_day_first_are_read(staged: Staged, written: str,
                                          expected: dt.date) -> None:
    assert staged.loaded[case_id("date", written)]["snapshot_date"] == expected


@pytest.mark.parametrize("written", UNREADABLE_DATES)
def test_unreadable_dates_are_quarantined_with_the_reason(staged: Staged, written: str) -> None:
    assert case_id("date", written) not in staged.loaded
    assert staged.reasons[case_id("date", written)] == (
        f"snapshot_date: '{written}' is not {DATE_EXPECTED}")


def test_determination_dates_follow_the_same_rule(memory: duckdb.DuckDBPyConnection) -> None:
    rows = [{"determination_id": f"D{i}", "jurisdiction": "WA", "agency_code": "DPC",
             "position_id": "P1", "decision_date": date, "determined_classification": "SES Class 3"}
            for i, date in enumerate(["1/7/2025", "12/31/2024"], start=1)]
    load_rows(memory, ExtractKind.DETERMINATIONS, rows)
    assert rows_of(memory, "select determination_id, decision_date, determined_classification_code,"
                           " determined_tier from determinations") == [
        {"determination_id": "D1", "decision_date": dt.date(2025, 7, 1),
         "determined_classification_code": "WA-CLASS3", "determined_tier": "SES2"}]
    assert reasons_by_row(memory, "determinations_test.csv") == {
        2: f"decision_date: '12/31/2024' is not {DATE_EXPECTED}"}


# ---- Numbers and money -------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "expected"), MONEY)
def test_money_is_read(staged: Staged, written: str, expected: float) -> None:
    assert staged.loaded[case_id("money", written)]["budget_managed"] == expected


@pytest.mark.parametrize(("column", "written", "reason"), UNREADABLE_NUMBERS)
def test_unreadable_numbers_are_quarantined_with_the_reason(staged: Staged, column: str,
                                                            written: str, reason: str) -> None:
    assert case_id(column, written) not in staged.loaded
    assert staged.reasons[case_id(column, written)] == reason


def test_whole_numbers_written_with_a_decimal_point_are_whole(staged: Staged) -> None:
    row = staged.loaded["whole"]
    assert (row["locations"], row["fte"]) == (3, 1.0)


# ---- Classifications and streams ---------------------------------------------------------------

@pytest.mark.parametrize(("jurisdiction", "written", "code", "tier", "rank"), CLASSIFICATIONS)
def test_classification_spellings_normalise_to_codes(
        staged: Staged, jurisdiction: str, written: str, code: str | None, tier: str | None,
        rank: int | None) -> None:
    row = staged.loaded[case_id(jurisdiction, written)]  # loaded even without a code
    assert (row["classification"], row["classification_code"], row["tier"],
            row["grade_rank"]) == (written, code, tier, rank)


@pytest.mark.parametrize(("jurisdiction", "written", "code"), STREAMS)
def test_stream_aliases_per_jurisdiction(staged: Staged, jurisdiction: str, written: str,
                                         code: str | None) -> None:
    row = staged.loaded[case_id(jurisdiction, "stream", written)]  # loaded even if unknown
    assert (row["stream"], row["stream_code"]) == (written, code)


# ---- Properties of the parsers -----------------------------------------------------------------

ISO = re.compile(r"([1-9][0-9]{3})-([0-9]{1,2})-([0-9]{1,2})([ T]00:00(:00(\.0+)?)?)?")
DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([1-9][0-9]{3})")


def reference_date(text: str) -> dt.date | None:
    """Return the only reading of a text the contract allows: ISO or day-first, else None."""
    text = text.strip()
    try:
        if match := ISO.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := DAY_FIRST.fullmatch(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


DATE_LIKE = st.one_of(
    st.text(),
    st.text(alphabet="0123456789/- T:.", max_size=22),
    st.builds(lambda a, b, y: f"{a}/{b}/{y}", st.integers(0, 40), st.integers(0, 40),
              st.integers(0, 9999)),
)


@settings(max_examples=100, deadline=None)
@given(DATE_LIKE)
def test_date_macro_reads_only_iso_or_day_first(macros: duckdb.DuckDBPyConnection,
                                                text: str) -> None:
    assert one(macros, "wv_date", text) == reference_date(text)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1)).filter(lambda date: date.day > 12))
def test_month_first_is_never_read(macros: duckdb.DuckDBPyConnection, date: dt.date) -> None:
    assert one(macros, "wv_date", f"{date.month}/{date.day}/{date.year}") is None
    assert one(macros, "wv_date", f"{date.day}/{date.month}/{date.year}") == date


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789$,.-+eE naif", max_size=20)))
def test_number_macros_never_raise(macros: duckdb.DuckDBPyConnection, text: str) -> None:
    [(number, whole)] = macros.execute("select wv_number($1::varchar), wv_integer($1::varchar)",
                                       [text]).fetchall()
    assert number is None or (isinstance(number, float) and abs(number) < float("inf"))
    assert whole is None or whole == number


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_macro_reads_any_written_float(macros: duckdb.DuckDBPyConnection,
                                              value: float) -> None:
    assert one(macros, "wv_number", repr(value)) == value


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_money_macro_reads_dollars_with_separators(macros: duckdb.DuckDBPyConnection,
                                                   amount: int) -> None:
    assert one(macros, "wv_number", f"${amount:,}") == amount


# ---- The fast paths read as the regular expressions do ------------------------------------------

TRIMMED = r"nullif(regexp_replace($1, '^[\s\p{Z}]+|[\s\p{Z}]+$', '', 'g'), '')"  # wv_text's rule
SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"


def test_the_space_codes_are_the_regular_expression_class(macros: duckdb.DuckDBPyConnection
                                                          ) -> None:
    """wv_text looks at the first and last character: its codes are exactly [\\s\\p{Z}]'s."""
    [(differing,)] = macros.execute(
        r"select count(*) from (select code from range(0, 1114112) as codes(code)"
        r" where code not between 55296 and 57343)"  # surrogates are not characters
        r" where wv_is_space(code) <> regexp_full_match(chr(code::integer), '[\s\p{Z}]')"
    ).fetchall()
    assert differing == 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(SPACES),
                                  st.characters(exclude_categories=("Cs",))), max_size=12))
def test_text_macro_trims_as_the_regular_expression(macros: duckdb.DuckDBPyConnection,
                                                    text: str) -> None:
    [(fast, rule)] = macros.execute(f"select wv_text($1::varchar), {TRIMMED}", [text]).fetchall()
    assert fast == rule


NUMBER_RULE = (r"wv_finite(try_cast(case when regexp_full_match(t, '[-+]?\$?\s?\d{1,3}(,\d{3})+"
               r"(\.\d+)?') then regexp_replace(t, '[$,\s]', '', 'g') else regexp_replace(t,"
               r" '^([-+]?)\$\s?', '\1') end as double))")  # wv_number before the direct cast


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789$,._-+eE naifINF", max_size=16)))
def test_number_macro_casts_directly_only_what_the_rule_reads_alike(
        macros: duckdb.DuckDBPyConnection, text: str) -> None:
    [(fast, rule)] = macros.execute(
        f"select wv_number_of(t), {NUMBER_RULE} from (select wv_text($1::varchar) as t)",
        [text]).fetchall()
    assert fast == rule or (fast != fast and rule != rule)


@pytest.mark.parametrize(("title", "key"), [
    ("Director, Policy & Strategy", "directorpolicyandstrategy"),
    ("Dîrecteur  Général", "directeurgeneral"),
    ("DIRECTOR - POLICY AND STRATEGY", "directorpolicyandstrategy"),
    (None, None),
])
def test_a_title_key_sets_aside_case_accents_ampersands_and_punctuation(
        macros: duckdb.DuckDBPyConnection, title: str | None, key: str | None) -> None:
    """wv_title_key: the key stale_determination compares titles by."""
    assert one(macros, "wv_title_key", title) == key
