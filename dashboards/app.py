"""The dashboard's entry point: `workvalue dashboard --warehouse FILE` runs this with Streamlit.

It finds the warehouse (--warehouse after `--`, else $WORKVALUE_WAREHOUSE), opens it read-only
(scoped to one agency with --agency CODE: see dashboards/scope.py), draws the shared filters in
the sidebar, hands the pages their context and runs the page the visitor chose. Pages live in
dashboards/views/, one file each; every query is in queries.py.
(Not dashboards/pages/: Streamlit treats a pages/ folder beside the entry script as a legacy
multipage app until the first st.navigation call, so a deep link to a page on a freshly
started server would run that page without this script.)
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import streamlit as st

from dashboards import components, context, filters, queries
from dashboards.labels import count_phrase
from pipeline.errors import WarehouseError

PAGES = (  # file under dashboards/, title, icon, URL path
    ("views/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("views/outliers.py", "Outliers", ":material/flag:", "outliers"),
    ("views/bands.py", "Band distribution by stream", ":material/stacked_bar_chart:", "bands"),
    ("views/comparability.py", "Cross-agency comparability", ":material/compare_arrows:",
     "comparability"),
    ("views/structure.py", "SES structure", ":material/account_tree:", "structure"),
    ("views/performance.py", "Performance framework", ":material/trending_up:", "performance"),
    ("views/data_quality.py", "Data quality", ":material/fact_check:", "data-quality"),
)
TITLE = "workvalue · SES classification consistency"
PAGE_ICON = "⚖️"  # an emoji favicon is drawn by the browser; a :material/...: one is fetched
# from fonts.gstatic.com, and the dashboard makes no request outside the machine


PRINT_STYLE = """<style>
.wv-print-header { display: none; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"] {
    display: none !important; }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.5cm 0 0 0; }
  [data-testid="stDataFrame"], [data-testid="stVegaLiteChart"] { width: 100% !important;
    break-inside: avoid; }
  .wv-print-header { display: block; position: fixed; top: 0; left: 0; right: 0;
    font-size: 10pt; border-bottom: 1px solid #999; padding-bottom: 2pt; }
}
</style>
<div class="wv-print-header">{title} · printed {date}</div>"""  # fixed text: no data value


def print_style(today: dt.date) -> None:
    """Add the print stylesheet: no sidebar or toolbar, full-width tables, title and date."""
    st.html(PRINT_STYLE.replace("{title}", TITLE).replace("{date}", today.isoformat()))


def show_message(title: str, body: str) -> None:
    """Show a one-page app that only says what to do (no warehouse, no positions, busy)."""
    def message_page() -> None:
        st.title(title)
        st.info(body, icon=":material/info:")

    st.navigation([st.Page(message_page, title=title, url_path="start", default=True)]).run()


def no_warehouse_message(path: Path) -> str:
    """Return what to do when the warehouse file does not exist."""
    return (f"There is no warehouse at `{path}` yet. Build one, then reload this page:\n\n"
            "```\nuv run workvalue sample --out build/sample\n"
            f"uv run workvalue run --input build/sample --warehouse {path}\n```\n\n"
            "or run `make demo`, which does both and serves this dashboard.")


def unknown_agency_message(agency: str, path: Path) -> str:
    """Return what to say when the scoped agency has no positions (naming no other agency)."""
    shown = agency.replace("`", "'")
    return (f"This dashboard is scoped to the agency `{shown}`, and the warehouse "
            f"`{path.name}` holds no positions of it. Check the code given to "
            "`workvalue dashboard --agency`.")


def run_pages(reader: context.WarehouseReader, tables: frozenset[str],
              options: filters.FilterOptions) -> None:
    """Draw the filters and run the chosen page on the warehouse."""
    if not options.snapshots:
        if reader.agency is not None:
            show_message("No such agency", unknown_agency_message(reader.agency, reader.path))
            return
        show_message("No positions loaded", (
            f"The warehouse `{reader.path}` has no positions yet. Load extracts with "
            f"`uv run workvalue run --input DIR --warehouse {reader.path}`, then reload."))
        return
    pages = st.navigation([
        st.Page(page, title=title, icon=icon, url_path=url_path, default=index == 0)
        for index, (page, title, icon, url_path) in enumerate(PAGES)])
    chosen = filters.render_sidebar(options, scoped=reader.agency is not None)
    with st.sidebar:
        st.caption(f"Warehouse {components.plain(reader.path.name)} (read-only) · "
                   f"{count_phrase(len(options.snapshots), 'snapshot')}, "
                   f"{count_phrase(len(options.agencies), 'agency', 'agencies')}")
    context.publish(context.PageContext(reader, tables, options, chosen))
    pages.run()


def main(arguments: list[str]) -> None:
    """Run the dashboard on the warehouse the arguments name."""
    st.set_page_config(page_title=TITLE, page_icon=PAGE_ICON, layout="wide")
    print_style(dt.date.today())
    path = context.warehouse_path(arguments)
    if not path.exists():
        show_message("No warehouse yet", no_warehouse_message(path))
        return
    try:
        reader = context.WarehouseReader.open(path, context.agency_scope(arguments))
    except WarehouseError as error:
        show_message("Warehouse busy", f"{error}. Wait for the run to finish, then reload.")
        return
    try:
        tables = reader.query(queries.available_tables)
        options = (reader.query(queries.filter_options) if "positions" in tables
                   else filters.FilterOptions())
        run_pages(reader, tables, options)
    except context.WarehouseChanged:
        reader.close()
        st.rerun()  # draw the page again, all of it from the new publish
    except WarehouseError as error:
        st.warning(f"{error}. Wait for the run to finish, then reload.")
    finally:
        reader.close()


if __name__ == "__main__":
    main(sys.argv[1:])
