"""Build: a report from the warehouse to a file (.html or .pdf), recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.audit import record_export
from pipeline.errors import OutputError, WarehouseError
from pipeline.report import sections, sections_more
from pipeline.report.gather import ReportData, gather
from pipeline.report.html import document
from pipeline.report.pdf import write_pdf
from pipeline.warehouse import connect

FORMATS = (".html", ".pdf")
AUDIT_TABLE = "report"  # the audit trail's subject of a report


@dataclass(frozen=True)
class Report:
    """A report written: where, of whom, and how many findings it lists."""

    output: Path
    agency: str | None
    snapshot_date: str
    publish_id: str | None
    findings_listed: int


def render(data: ReportData) -> str:
    """Return the report's whole HTML document."""
    return document(f"{sections.REPORT_TITLE}: {data.cover.title}", [
        sections.cover(data), sections.comparability(data), sections.findings(data),
        sections_more.structure(data), sections_more.performance(data),
        sections_more.method(data)])


def check_output(output: Path) -> str:
    """Return the output's format (.html or .pdf); raise OutputError for any other ending."""
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"cannot write a report to '{output.name}': the output must end in "
                          f"{' or '.join(FORMATS)}")
    return suffix


def write(document_text: str, output: Path, suffix: str) -> None:
    """Write the document as HTML or PDF; raise OutputError when the file cannot be written."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".pdf":
            write_pdf(document_text, output)
        else:
            output.write_text(document_text, encoding="utf-8")
    except OSError as error:
        raise OutputError(f"cannot write the report to {output}: {error.strerror}") from error


def make_report(warehouse: Path, output: Path, agency: str | None = None,
                snapshot: str | None = None) -> Report:
    """Write one agency's report (or the commission's) and record it in the audit trail.

    The warehouse is opened read-only. A report that cannot be recorded is removed and the
    failure raised, as for every export (pipeline.audit).
    """
    suffix = check_output(output)
    connection = connect(warehouse, read_only=True)
    try:
        data = gather(connection, agency, snapshot)
    finally:
        connection.close()
    write(render(data), output, suffix)
    try:
        record_export(warehouse, AUDIT_TABLE, data.findings.height, str(output.resolve()),
                      action="report", agency=agency)
    except WarehouseError:
        output.unlink(missing_ok=True)
        raise
    return Report(output=output, agency=agency, snapshot_date=data.cover.snapshot_date,
                  publish_id=data.cover.publish_id, findings_listed=data.findings.height)
