"""HTML: the report as one self-contained HTML document, which the PDF prints as it is.

Every value from the warehouse goes through ``text()`` (html.escape) or a table cell built by
``table()``, so a title, a message or an evidence value is shown as text and never read as
markup. Charts are SVG images in data URIs (pipeline/report/figures.py): their text cannot reach
the page either.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from pipeline.privacy import SUPPRESSED_FLAG
from pipeline.report.figures import data_uri
from pipeline.report.words import SUPPRESSED, number, share

STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-left { content: "workvalue benchmarking report · " string(subject);
                       font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #636363; }
        @bottom-right { content: "page " counter(page) " of " counter(pages);
                        font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt;
                        color: #636363; } }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt;
       color: #1a1a1a; line-height: 1.35; max-width: 190mm; margin: auto; }
h1 { font-size: 20pt; margin: 0 0 2mm; color: #08306b; }
.subject { font-size: 14pt; margin-bottom: 6mm; string-set: subject content(); }
h2 { font-size: 14pt; color: #08306b; border-bottom: 1.5pt solid #08306b; padding-bottom: 1mm;
     break-before: page; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; color: #08306b; }
h4 { font-size: 9.5pt; margin: 0 0 1mm; }
table { border-collapse: collapse; margin: 2mm 0 4mm; font-size: 8.5pt; }
tr { break-inside: avoid; }
th, td { border-bottom: 0.5pt solid #bdbdbd; padding: 1mm 2mm; text-align: left;
         vertical-align: top; }
th { background: #eef3f8; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child, td.n { white-space: nowrap; }
tr.this td { background: #fff3d6; font-weight: bold; }
dl.facts { display: grid; grid-template-columns: 45mm auto; gap: 1mm 4mm; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
.summary p { font-size: 11pt; margin: 0 0 3mm; }
.finding { border-left: 2pt solid #bdbdbd; padding: 1mm 0 1mm 3mm;
           margin: 0 0 4mm; }
.finding.high { border-color: #c0392b; } .finding.medium { border-color: #e67e22; }
.finding table { margin: 1mm 0; width: 100%; }
table.pairs th { width: 22%; } table.pairs td { width: 28%; }
.note { color: #4d4d4d; font-size: 8.5pt; }
figure { margin: 2mm 0 4mm; break-inside: avoid; } figure img { max-width: 100%; }
pre { white-space: pre-wrap; font-size: 8pt; background: #f5f5f5; padding: 2mm; }
"""


@dataclass(frozen=True)
class Column:
    """A table column: the frame's column, its heading, and how its values are printed.

    kind: "text", "number", "count" (printed as SUPPRESSED where the row was suppressed) or
    "share" (a whole percentage).
    """

    name: str
    heading: str
    kind: str = "text"


def text(value: object) -> str:
    """Return a value as escaped HTML text."""
    return html.escape(number(value), quote=True)


def paragraph(content: str, css: str | None = None) -> str:
    """Return a paragraph of plain text (escaped)."""
    attribute = f' class="{css}"' if css else ""
    return f"<p{attribute}>{text(content)}</p>"


def heading(level: int, content: str) -> str:
    """Return a heading of plain text (escaped)."""
    return f"<h{level}>{text(content)}</h{level}>"


def figure(svg_text: str | None, caption: str) -> str:
    """Return a chart as an image with its caption, or nothing when there is no chart."""
    if svg_text is None:
        return ""
    return (f'<figure><img src="{data_uri(svg_text)}" alt="{text(caption)}">'
            f'<figcaption class="note">{text(caption)}</figcaption></figure>')


def _cell(row: dict, column: Column) -> str:
    """Return one table cell of a row."""
    value = row.get(column.name)
    if value is None and column.kind == "count" and row.get(SUPPRESSED_FLAG):
        return f'<td class="n">{text(SUPPRESSED)}</td>'
    if column.kind == "share":
        return f'<td class="n">{text(share(value))}</td>'
    css = ' class="n"' if column.kind in ("number", "count") else ""
    return f"<td{css}>{text(value)}</td>"


def table(frame: pl.DataFrame, columns: Sequence[Column], *,
          highlight: tuple[str, object] | None = None) -> str:
    """Return a frame as an HTML table of the given columns.

    ``highlight`` (column, value) marks the rows holding that value (the report's own agency).
    """
    if frame.is_empty():
        return paragraph("Nothing to show.", "note")
    head = "".join(f"<th>{text(column.heading)}</th>" for column in columns)
    rows = []
    for row in frame.iter_rows(named=True):
        marked = highlight is not None and row.get(highlight[0]) == highlight[1]
        cells = "".join(_cell(row, column) for column in columns)
        attribute = ' class="this"' if marked else ""
        rows.append(f"<tr{attribute}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def pairs(rows: Iterable[tuple[str, object]], headings: tuple[str, str]) -> str:
    """Return (label, value) pairs as a table of two pairs a row (a finding's evidence)."""
    cells = [f"<th>{text(label)}</th><td>{text(value)}</td>" for label, value in rows]
    if not cells:
        return ""
    body = "".join(f"<tr>{''.join(cells[start:start + 2])}</tr>"
                   for start in range(0, len(cells), 2))
    head = f"<th>{text(headings[0])}</th><th>{text(headings[1])}</th>" * min(2, len(cells))
    return f'<table class="pairs"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def facts(rows: Iterable[tuple[str, object]]) -> str:
    """Return labelled facts as a definition list."""
    return '<dl class="facts">' + "".join(
        f"<dt>{text(label)}</dt><dd>{text(value)}</dd>" for label, value in rows) + "</dl>"


def suppression_note(frame: pl.DataFrame) -> str:
    """Return the note under a table that lost counts to suppression (nothing if none did)."""
    if SUPPRESSED_FLAG in frame.columns and frame[SUPPRESSED_FLAG].any():
        return paragraph(f'"{SUPPRESSED}": fewer than 5, not shown so that no one can be '
                         "singled out (values derived from it are not shown either).", "note")
    return ""


def document(title: str, body: Sequence[str]) -> str:
    """Return the whole HTML document: its title (escaped), the style, and the body's parts."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{text(title)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
