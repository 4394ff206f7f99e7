"""PDF: the report's HTML document printed to PDF by WeasyPrint (docs/report.md says why).

WeasyPrint is a wheel, but it draws text with Debian's Pango and HarfBuzz libraries (`make
pdf-libs` installs them): without them it cannot be imported, and the report says so.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import OutputError

MISSING_LIBRARIES = ("a PDF report needs Debian's Pango and HarfBuzz libraries, which WeasyPrint "
                     "draws text with: run `make pdf-libs` (or apt-get install libpango-1.0-0 "
                     "libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core), or write the "
                     "report to a file ending .html")


def write_pdf(document: str, output: Path) -> None:
    """Write an HTML document to a PDF file; raise OutputError when PDFs cannot be made here."""
    try:
        from weasyprint import HTML
    except OSError as error:  # a shared library WeasyPrint loads is missing
        raise OutputError(f"{MISSING_LIBRARIES} ({error})") from error
    HTML(string=document, base_url=str(output.parent)).write_pdf(output)
