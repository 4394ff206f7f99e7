"""Components: the small Streamlit pieces every page shares (empty states, tables, downloads).

Each takes what it shows as arguments; none reads the warehouse. A download is recorded in the
warehouse's audit file (pipeline.audit) when the visitor clicks it.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboards.filters import LABELS, Filters
from dashboards.labels import column_label
from pipeline.audit import record_export
from pipeline.privacy import SMALL_COUNT_THRESHOLD, SUPPRESSED_FLAG, escape_formula_cells

SUPPRESSED_MARK = "-"
MARKUP = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# where Markdown's autolinks (GFM: http://, https://, www., an email's @) would make a link out
# of text that escaping left alone: a word joiner (U+2060, invisible) goes there
AUTOLINK = re.compile(r"(?i)(?<=http)(?=\\:)|(?<=https)(?=\\:)|(?<=www)(?=\\\.)|(?=\\@)")
WORD_JOINER = "\u2060"
PX_PER_CHARACTER = 7.2  # the width of an average character at the tables' font
LINE_HEIGHT_PX = 20
WRAPPING_MIN_ROW_PX = 65  # Streamlit wraps a table's text only in rows taller than 4rem
TABLE_ORIGINS = {
    "position_scores": "the score stage of `workvalue run`",
    "factor_evidence": "the score stage of `workvalue run`",
    "int_points_bands": "the score stage of `workvalue run`",
    "flags": "the checks stage of `workvalue run`",
    "flag_reviews": "the exceptions register (reviews recorded on the Outliers page)",
}


def plain(value: object) -> str:
    """Return a data value as text that Markdown shows as it is (every markup character escaped).

    Streamlit renders captions, messages and markdown as Markdown (links, images, emphasis,
    `:material/...:` icons, `$` maths): a value from the data goes through this before any of
    them, so that a title like `![x](http://host/p.png)` is shown, never fetched, and a bare
    address or email is not made a link.
    """
    escaped = MARKUP.sub(r"\\\1", "" if value is None else str(value)).replace("\n", " ")
    return AUTOLINK.sub(WORD_JOINER, escaped)


def not_available(table: str, what: str) -> None:
    """Say that a part of the page needs a table the warehouse does not have yet."""
    origin = TABLE_ORIGINS.get(table, "`workvalue run`")
    st.info(f"{what} is not available yet: the warehouse has no `{table}` table. "
            f"It is written by {origin}; run `workvalue run --input DIR --warehouse FILE` "
            "with a version of the pipeline that has that stage.", icon=":material/info:")


def no_rows(what: str, filters: Filters | None = None) -> None:
    """Say why there is nothing to show: the filters set, or nothing of it in the snapshot."""
    narrowed = filters is None or any(getattr(filters, name) is not None
                                      for name in LABELS if name != "snapshot_date")
    if narrowed:
        st.info(f"No {what} match the filters. Set a sidebar filter back to \"All\", or "
                "choose another snapshot.", icon=":material/filter_alt_off:")
    else:
        st.info(f"No {what} in this warehouse's snapshot {filters.snapshot_date}: load an "
                "extract that has them, or choose another snapshot.", icon=":material/info:")


def ignored_filters(filters: Filters, ignored: Sequence[str], why: str) -> None:
    """Caption the filters this part of a page does not apply, if any of them is set."""
    set_but_ignored = [LABELS[name].lower() for name in ignored
                       if getattr(filters, name) is not None]
    if set_but_ignored:
        st.caption(f"The {' and '.join(set_but_ignored)} filter is not applied here: {why}.")


def labelled(frame: pl.DataFrame, column_config: dict[str, Any]) -> dict[str, Any]:
    """Return a table's column settings: each column headed by its label (labels.py)."""
    settings: dict[str, Any] = {column: column_label(column) for column in frame.columns}
    for column, setting in column_config.items():
        settings[column] = ({**setting, "label": setting.get("label") or column_label(column)}
                            if isinstance(setting, dict) else setting)
    return settings


def table(frame: pl.DataFrame, key: str | None = None, row_height: int | None = None,
          height: int | str = "auto", **column_config: Any) -> Any:
    """Show a frame as a table with labelled headers (its suppression flag left out).

    With a ``key`` the table selects one row on a click and returns the selection event.
    ``row_height`` (px): over 64, cell text wraps; ``height``: the table's, in px.
    """
    shown = frame.drop(SUPPRESSED_FLAG) if SUPPRESSED_FLAG in frame.columns else frame
    options: dict[str, Any] = {"on_select": "rerun", "selection_mode": "single-row",
                               "key": key} if key else {}
    return st.dataframe(shown, hide_index=True, column_config=labelled(shown, column_config),
                        placeholder=SUPPRESSED_MARK, row_height=row_height, height=height,
                        **options)


def wrapped_row_height(texts: list[str | None], width_px: int) -> int:
    """Return the row height (px) that shows the longest text whole, wrapped in a column.

    Streamlit wraps cell text only in rows taller than 4rem (64 px), so the least is 65 px.
    """
    per_line = max(1, int(width_px / PX_PER_CHARACTER))
    longest = max((len(text) for text in texts if text), default=0)
    lines = max(1, math.ceil(longest / per_line))
    return max(WRAPPING_MIN_ROW_PX, lines * LINE_HEIGHT_PX + 8)


def suppressed_table(frame: pl.DataFrame, **column_config: Any) -> None:
    """Show a suppressed frame (blanked cells shown as "-"), with a note when any was."""
    table(frame, **column_config)
    if SUPPRESSED_FLAG in frame.columns and frame[SUPPRESSED_FLAG].any():
        st.caption(f'Cells shown as "{SUPPRESSED_MARK}" hold fewer than {SMALL_COUNT_THRESHOLD}: '
                   "suppressed so that no one can be singled out (values derived from them "
                   "are hidden too).")


@dataclass(frozen=True)
class Download:
    """Where a download comes from, for the audit record: the warehouse and the agency scope."""

    warehouse_path: Path
    agency: str | None = None


def audited(build: Callable[[], bytes], download: Download, table: str, rows: int,
            file_name: str) -> bytes:
    """Return a download's bytes once the download is recorded in the warehouse's audit file.

    Called when the visitor clicks (Streamlit's deferred download): a download that cannot be
    recorded raises, and the visitor gets no file.
    """
    record_export(download.warehouse_path, table, rows, file_name, action="download",
                  agency=download.agency)
    return build()


def excel_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """Return the frame as an XLSX workbook, formulas escaped."""
    buffer = io.BytesIO()
    escape_formula_cells(frame).write_excel(buffer, worksheet=sheet[:31], autofit=True)
    return buffer.getvalue()


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """Return the frame as UTF-8 CSV, formulas escaped."""
    return escape_formula_cells(frame).write_csv().encode("utf-8")


def download_buttons(frame: pl.DataFrame, stem: str, download: Download) -> None:
    """Offer the frame as CSV and XLSX downloads (formulas escaped, built and audited on click)."""
    left, right, _ = st.columns([1, 1, 4])
    csv_name, xlsx_name = f"{stem}.csv", f"{stem}.xlsx"
    with left:
        st.download_button(
            "Download CSV",
            partial(audited, partial(csv_bytes, frame), download, stem, frame.height, csv_name),
            file_name=csv_name, mime="text/csv", key=f"download_csv_{stem}",
            on_click="ignore", icon=":material/download:")
    with right:
        st.download_button(
            "Download XLSX",
            partial(audited, partial(excel_bytes, frame, stem), download, stem, frame.height,
                    xlsx_name),
            file_name=xlsx_name,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"download_xlsx_{stem}", on_click="ignore", icon=":material/download:")


def scope_caption(filters: Filters, agency_label: str | None = None) -> None:
    """Caption the page with the snapshot and the selection it shows."""
    parts = [f"snapshot {filters.snapshot_date}"]
    parts.append(filters.jurisdiction or "every jurisdiction")
    parts.append(agency_label or filters.agency_code or "every agency")
    if filters.stream_code:
        parts.append(f"stream {filters.stream_code}")
    if filters.tier:
        parts.append(f"band {filters.tier}")
    st.caption(" · ".join(plain(part) for part in parts))
