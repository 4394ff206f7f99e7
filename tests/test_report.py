"""The benchmarking report (`workvalue report`) on the real sample: PDF pages, text, privacy.

The PDF is read back as a person would see it: its pages rendered to PNG with pdftoppm and its
text read with pdftotext (Debian's poppler-utils: `make poppler`). Numbers are checked against
the warehouse, queried here independently of the report's own queries.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image
from typer.testing import CliRunner

from pipeline.audit import read_trail
from pipeline.cli import app
from pipeline.report.build import make_report
from pipeline.report.gather import evidence_rows
from pipeline.report.html import Column, table
from pipeline.run import run_pipeline
from samplegen import write_sample

AGENCY = "DJT"
SECTIONS = ("Summary", "Comparability", "Drift", "Findings", "SES structure", "Band pyramid",
            "Executives per 1,000 FTE", "Spans and layers", "Structure notes",
            "Change since the previous snapshot",
            "Performance framework", "Method", "Privacy")


def poppler(tool: str) -> str:
    """Return the path of a poppler tool; fail (not skip) with how to install it."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run `make poppler` (Debian's poppler-utils)")
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the sample warehouse (scale 1), built once for the module."""
    root = tmp_path_factory.mktemp("report")
    write_sample(root / "extracts", seed=42, scale=1.0)
    path = root / "warehouse.duckdb"
    run_pipeline(root / "extracts", path, today=dt.date(2026, 1, 1))
    return path


@pytest.fixture(scope="module")
def agency_pdf(warehouse: Path) -> tuple[Path, str]:
    """Return the agency's PDF report and its text as pdftotext reads it (layout kept)."""
    output = warehouse.parent / f"agency-{AGENCY}.pdf"
    make_report(warehouse, output, AGENCY)
    text = subprocess.run([poppler("pdftotext"), "-layout", str(output), "-"], check=True,
                          capture_output=True, text=True).stdout
    return output, text


def scalar(warehouse: Path, sql: str, parameters: dict[str, object] | None = None) -> object:
    """Return one value of a query on the warehouse, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or {}).fetchall()[0][0]


def flat(text: str) -> str:
    """Return text with every run of white space made one space."""
    return re.sub(r"\s+", " ", text)


def test_pdf_pages_render_to_png_and_hold_every_section(agency_pdf: tuple[Path, str],
                                                        tmp_path: Path) -> None:
    """pdftoppm draws every page (none blank); pdftotext finds each section's heading."""
    output, text = agency_pdf
    subprocess.run([poppler("pdftoppm"), "-r", "40", "-png", str(output),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    for page in pages:
        with Image.open(page) as image:
            low, _ = image.convert("L").getextrema()
            assert low < 128, f"{page.name} is blank"
    for section in SECTIONS:
        assert section in text, section
    assert f"{AGENCY}: Department of Justice and Transport" in text


def test_cover_numbers_match_the_warehouse(warehouse: Path,
                                           agency_pdf: tuple[Path, str]) -> None:
    """The publish id, executives, high and low findings, SES1 medians: the warehouse's own."""
    _, text = agency_pdf
    words = flat(text)
    snapshot = scalar(warehouse, "select max(snapshot_date) from positions")
    executives = scalar(warehouse, "select count(*) from positions where agency_code = $a"
                        " and is_executive and snapshot_date = $s", {"a": AGENCY, "s": snapshot})
    high, low = (scalar(warehouse, "select count(*) from flags where agency_code = $a and"
                        " severity = $severity and snapshot_date = $s",
                        {"a": AGENCY, "s": snapshot, "severity": severity})
                 for severity in ("high", "low"))
    own, others = (scalar(warehouse, f"""
        select median(total_points) from position_scores
        where snapshot_date = $s and tier = 'SES1' and total_points is not null
            and jurisdiction = 'VPS' and agency_code {operator} $a""", {"a": AGENCY,
                                                                        "s": snapshot})
        for operator in ("=", "<>"))
    assert scalar(warehouse, "select max(version_id) from warehouse_version") in words
    assert f"had {executives} executive positions" in words
    assert f"raised {high} high and" in words
    assert f"Counted, not listed: {low} low-severity note" in words
    assert f"SES1 ({own:g} against {others:g})" in words


def test_the_structure_notes_are_listed_in_the_structure_section(warehouse: Path) -> None:
    """Every span-of-one and stretched-report note of the agency, by position, rule and name."""
    output = warehouse.parent / "notes.html"
    make_report(warehouse, output, AGENCY)
    page = output.read_text(encoding="utf-8")
    section = page[page.index("<h3>Structure notes</h3>"):
                   page.index("<h3>Change since the previous snapshot</h3>")]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        notes = connection.execute("""
            select flags.position_id, rules.title from flags
            join ref_rules as rules using (rule_id)
            where flags.agency_code = $a and flags.rule_id in ('span_of_one', 'stretched_report')
                and flags.snapshot_date = (select max(snapshot_date) from positions)""",
            {"a": AGENCY}).fetchall()
    if not notes:
        assert "No structure notes" in section and "<table>" not in section
        return
    assert section.count("<tr>") - 1 == min(len(notes), 40)  # a header row, then the notes
    for position_id, title in notes[:40]:
        assert f"<td>{html.escape(position_id)}</td>" in section
        assert html.escape(title) in section  # the rule's name, from its SQL header


def test_an_agency_report_names_no_other_agency(warehouse: Path,
                                                agency_pdf: tuple[Path, str]) -> None:
    """No other agency's name or code is anywhere in the text of the agency's PDF."""
    _, text = agency_pdf
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        others = connection.execute("select distinct agency_code, agency_name from positions"
                                    " where agency_code <> $a", {"a": AGENCY}).fetchall()
    words = flat(text)
    assert others
    for code, name in others:
        assert not re.search(rf"\b{re.escape(code)}\b", words), code
        assert name not in words, name


def test_a_count_under_five_is_shown_suppressed(warehouse: Path,
                                                agency_pdf: tuple[Path, str]) -> None:
    """The agency's SES3 positions (fewer than five) are printed "<5", never as their count."""
    _, text = agency_pdf
    small = scalar(warehouse, """
        select count(*) from position_scores where agency_code = $a and tier = 'SES3'
            and total_points is not null
            and snapshot_date = (select max(snapshot_date) from positions)""", {"a": AGENCY})
    assert 1 <= small < 5  # the sample's DJT has a few scored SES3s
    row = re.search(rf"{AGENCY} \(this agency\)\s+SES3\s+(\S+)(.*)", text)
    assert row is not None
    assert row.group(1) == "<5"
    assert not re.search(rf"\b{small}\b", row.group(2))


def test_every_agency_of_the_sample_builds_and_shows_only_itself(warehouse: Path) -> None:
    """Each agency's HTML report names it and no other, has maturity if assessed, is audited."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        agencies = connection.execute("select distinct agency_code, agency_name from positions"
                                      " order by 1").fetchall()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assessed = {row[0] for row in connection.execute(
            "select distinct agency_code from maturity_assessments").fetchall()}
    assert assessed
    for code, name in agencies:
        output = warehouse.parent / "html" / f"agency-{code}.html"
        made = make_report(warehouse, output, code)
        page = output.read_text(encoding="utf-8")
        assert made.agency == code
        assert html.escape(name) in page
        assert ("Maturity by element" in page) == (code in assessed), code
        for other_code, other_name in agencies:
            if other_code != code:
                assert html.escape(other_name) not in page, (code, other_name)
    trail = read_trail(warehouse).filter(action="report")
    assert set(trail["agency_code"].drop_nulls()) >= {code for code, _ in agencies}


def test_the_commission_wide_report_compares_every_agency(warehouse: Path) -> None:
    """Without --agency the report compares every agency and every jurisdiction's spread.

    An agency of 5 or more scored positions in a band is its own group there; the agencies of
    fewer are combined (at least 5 positions of at least 3 agencies) and not named in it.
    """
    output = warehouse.parent / "commission.html"
    make_report(warehouse, output)
    page = output.read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        snapshot = "(select max(snapshot_date) from position_scores)"
        groups = connection.execute(f"""
            select jurisdiction || ' ' || agency_code, tier, count(*) >= 5
            from position_scores
            where total_points is not null and snapshot_date = {snapshot}
            group by all""").fetchall()
    assert "Every agency (commission-wide)" in page
    assert "By jurisdiction, through the crosswalk tier" in page
    for code in {code for code, _, large in groups if large}:
        assert code in page
    small = [(code, tier) for code, tier, large in groups if not large]
    assert small and "Smaller agencies (combined)" in page  # the sample has small groups


def test_every_value_is_escaped_as_text() -> None:
    """A value holding markup is printed as text; evidence that could name someone is left out."""
    import polars as pl

    frame = pl.DataFrame({"message": ["<script>alert('x')</script> & <b>bold</b>"]})
    rendered = table(frame, [Column("message", "message")])
    assert "<script>" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;" in rendered and "&amp;" in rendered
    rows = evidence_rows('{"evaluator": "J. Citizen", "total_points": 44, '
                         '"peer_group": {"tier": "SES1", "positions": 29}}')
    assert rows == [("total points", "44"), ("peer group", "tier SES1; positions 29")]


def test_the_command_writes_html_and_refuses_another_ending(warehouse: Path) -> None:
    """`workvalue report` writes the file it is given; a .docx or unknown agency exits 2."""
    runner = CliRunner()
    output = warehouse.parent / "cli" / "report.html"
    made = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--output",
                               str(output), "--agency", AGENCY])
    assert made.exit_code == 0, made.output
    assert output.exists() and str(output) in flat(made.output)
    wrong = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--output",
                                str(warehouse.parent / "report.docx")])
    assert wrong.exit_code == 2 and "must end in .html or .pdf" in flat(wrong.output)
    unknown = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--output",
                                  str(output), "--agency", "NOPE"])
    assert unknown.exit_code == 2 and "no agency NOPE" in flat(unknown.output)


def test_findings_are_listed_high_then_medium_worst_first(warehouse: Path,
                                                          tmp_path: Path) -> None:
    """With a magnitude on every flag, each severity's findings come largest magnitude first."""
    from dashboards.filters import Filters
    from pipeline.report.gather import findings

    copy = tmp_path / "magnitudes.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("alter table flags add column if not exists magnitude double")
        connection.execute("update flags set magnitude = hash(flag_key) % 1000")
    with duckdb.connect(str(copy), read_only=True) as connection:
        snapshot = connection.execute("select max(snapshot_date)::varchar from flags"
                                      ).fetchall()[0][0]
        expected = connection.execute("""
            select severity, count(*) from flags where snapshot_date = $s
            and severity in ('high', 'medium') group by 1""", {"s": snapshot}).fetchall()
        listed = findings(connection, Filters(snapshot_date=snapshot), ["high", "medium"], 1000)
    severities = listed["severity"].to_list()
    assert severities == sorted(severities, key=["high", "medium"].index)
    assert dict(expected) == {severity: severities.count(severity) for severity in
                              ("high", "medium") if severity in severities}
    for severity in ("high", "medium"):
        magnitudes = listed.filter(severity=severity)["magnitude"].to_list()
        assert magnitudes == sorted(magnitudes, reverse=True)
