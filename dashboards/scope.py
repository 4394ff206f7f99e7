"""Scope: the dashboard restricted to one agency (`workvalue dashboard --agency CODE`).

The restriction is enforced on the connection, not left to the pages. `apply()` gives the
reader's read-only connection a temporary view in front of every warehouse table, under the
table's own name, holding only what the agency may see. DuckDB looks up a name in the temporary
catalog first, so every query in queries.py, whatever filter a page, a widget or a URL passes,
reads the agency's rows and nothing else. The agency code reaches SQL as a parameter, stored in
the temporary table `scope_agency`.

What each table shows under a scope (a table not named here shows no rows: closed by default):

- a table with an agency_code column: the agency's rows (raw tables: after the staging trim);
- quarantine: the rows whose record names the agency (a row whose agency cannot be read is not
  shown: it cannot be told whose it is);
- load_audit: the current loads of the files that hold the agency's rows, counting its rows only;
- classification_spellings: the spellings the agency's own positions and determinations use;
- flags: the agency's, and a finding about an evaluator (EVALUATOR_RULES: leniency) only when
  every determination it rests on (the evaluator's, of its snapshot, jurisdiction and band) is
  the agency's own;
- reference tables (REFERENCE_TABLES, ref_*): as they are; they hold frameworks, no agency data.

Comparisons with other agencies use one anonymised aggregate, built here from the whole warehouse
before the views hide it: `scope_peer_points`, the quartiles of factor points per snapshot and
band (and per stream) over every other agency's scored positions, kept only where at least
PEER_MIN_POSITIONS positions of at least PEER_MIN_AGENCIES agencies stand behind it, and without
the lowest and highest values (one position's each). No other agency's name, code or position
reaches a page.
"""

from __future__ import annotations

import duckdb

from dashboards.filters import UNKNOWN_STREAM
from pipeline.contract import ExtractKind
from pipeline.errors import ReviewError
from pipeline.review import resolve_flag_key
from pipeline.schema import raw_table

SCOPE_TABLE = "scope_agency"
PEER_POINTS_TABLE = "scope_peer_points"
PEER_GROUP = "Other agencies (combined)"
PEER_MIN_POSITIONS = 5
PEER_MIN_AGENCIES = 3
REFERENCE_TABLES = frozenset({"int_points_bands", "warehouse_version"})
REFERENCE_PREFIX = "ref_"
AGENCY = f"(select agency_code from {SCOPE_TABLE})"

SPECIAL_VIEWS = {  # table -> the select that replaces it ({db} is the warehouse catalog)
    "quarantine": f"""
        select * from {{db}}.main.quarantine
        where wv_text(json_extract_string(raw_record, '$.agency_code')) = {AGENCY}""",
    "load_audit": f"""
        with agency_rows as (  -- every row read lands in its kind's raw table
            select source_file, count(*) as rows_read
            from ({" union all ".join(f"select source_file from {raw_table(kind)}"
                                      for kind in ExtractKind)})
            group by source_file
        ),
        agency_quarantine as (
            select source_file, count(*) as rows_quarantined from quarantine
            group by source_file
        )
        select audit.* replace (
            agency_rows.rows_read as rows_read,
            agency_rows.rows_read - coalesce(agency_quarantine.rows_quarantined, 0)
                as rows_loaded,
            coalesce(agency_quarantine.rows_quarantined, 0) as rows_quarantined)
        from {{db}}.main.load_audit as audit
        join agency_rows using (source_file)
        left join agency_quarantine using (source_file)
        where audit.superseded_at is null""",
    "classification_spellings": """
        select * from {db}.main.classification_spellings as spellings
        where exists (
            select 1 from positions
            where upper(wv_text(positions.jurisdiction)) = spellings.jurisdiction
                and wv_key(positions.classification) = spellings.spelling_key)
        or exists (
            select 1 from determinations
            where upper(wv_text(determinations.jurisdiction)) = spellings.jurisdiction
                and wv_key(determinations.determined_classification) = spellings.spelling_key)""",
}
RAW_PREFIX = "raw_"
EVALUATOR_RULES = ("evaluator_leniency",)  # findings about an evaluator, not one position
OWN_FLAGS = f"""
    select * from {{db}}.main.flags as flags
    where flags.agency_code = {AGENCY}
        and (not list_contains({list(EVALUATOR_RULES)!r}, flags.rule_id) or not exists (
            select 1 from {{db}}.main.position_scores as scores
            where scores.snapshot_date = flags.snapshot_date
                and scores.jurisdiction = flags.jurisdiction
                and scores.tier = json_extract_string(flags.evidence, '$.tier')
                and scores.evaluator = json_extract_string(flags.evidence, '$.evaluator')
                and scores.agency_code is distinct from {AGENCY}))"""


def _quoted(name: str) -> str:
    """Return an identifier quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def warehouse_tables(connection: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Return the warehouse's tables and views, each with whether it has an agency_code column."""
    rows = connection.execute("""
        select tables.table_name, count(columns.column_name) > 0
        from information_schema.tables as tables
        left join information_schema.columns as columns
            on columns.table_catalog = tables.table_catalog
            and columns.table_schema = tables.table_schema
            and columns.table_name = tables.table_name
            and columns.column_name = 'agency_code'
        where tables.table_catalog = current_database() and tables.table_schema = 'main'
        group by tables.table_name""").fetchall()
    return {name: has_agency for name, has_agency in rows}


def shadow_select(table: str, has_agency: bool, scored: bool = False) -> str | None:
    """Return the select that stands in for a table under a scope (None: shown as it is).

    ``scored``: the warehouse has position_scores, which tells whose determinations a finding
    about an evaluator rests on.
    """
    if table in REFERENCE_TABLES or table.startswith(REFERENCE_PREFIX):
        return None
    if table in SPECIAL_VIEWS:
        return SPECIAL_VIEWS[table]
    if table == "flags" and scored:
        return OWN_FLAGS
    name = f"{{db}}.main.{_quoted(table)}"
    if has_agency:
        column = "wv_text(agency_code)" if table.startswith(RAW_PREFIX) else "agency_code"
        return f"select * from {name} where {column} = {AGENCY}"
    return f"select * from {name} where false"


def apply(connection: duckdb.DuckDBPyConnection, agency_code: str) -> None:
    """Restrict a read-only connection to one agency's rows (see the module's docstring)."""
    database = _quoted(connection.execute("select current_database()").fetchall()[0][0])
    tables = warehouse_tables(connection)
    connection.execute(f"create temp table {SCOPE_TABLE} as select ?::varchar as agency_code",
                       [agency_code])
    _create_peer_points(connection, database, "position_scores" in tables)
    # the special views read the agency views: quarantine first, load_audit reads it
    ordered = [table for table in tables if table not in SPECIAL_VIEWS]
    ordered += [table for table in SPECIAL_VIEWS if table in tables]
    for table in ordered:
        select = shadow_select(table, tables[table], "position_scores" in tables)
        if select is not None:
            connection.execute(f"create temp view {_quoted(table)} as "
                               + select.format(db=database))


def _create_peer_points(connection: duckdb.DuckDBPyConnection, database: str,
                        scored: bool) -> None:
    """Build the anonymised points aggregate of every other agency, per snapshot and band."""
    source = (f"{database}.main.position_scores" if scored else
              "(select null::date as snapshot_date, null::varchar as tier,"
              " null::varchar as stream_code, null::varchar as jurisdiction,"
              " null::varchar as agency_code, null::double as total_points where false)")
    connection.execute(f"""
        create temp table {PEER_POINTS_TABLE} as
        with others as (
            select snapshot_date, tier, coalesce(stream_code, ?) as stream_code,
                jurisdiction || '/' || agency_code as agency, total_points
            from {source}
            where total_points is not null and agency_code is distinct from {AGENCY}
        )
        select snapshot_date, tier,
            case when grouping(stream_code) = 1 then null else stream_code end as stream_code,
            count(*) as count_positions,
            quantile_cont(total_points, 0.25) as q1_points,
            median(total_points)::double as median_points,
            quantile_cont(total_points, 0.75) as q3_points
        from others
        group by grouping sets ((snapshot_date, tier), (snapshot_date, tier, stream_code))
        having count(*) >= ? and count(distinct agency) >= ?""",
        [UNKNOWN_STREAM, PEER_MIN_POSITIONS, PEER_MIN_AGENCIES])


def check_flag(connection: duckdb.DuckDBPyConnection, flag_key: str, agency_code: str) -> None:
    """Raise ReviewError unless the flag a key names is one of the agency's.

    A scoped dashboard offers only its agency's flags for review; the review is written through
    an unscoped connection (the run lock, a working copy, a publish), so it checks again there.
    """
    if resolve_flag_key(connection, flag_key)[2] != agency_code:
        raise ReviewError(f"flag {flag_key} is not one of agency {agency_code}'s flags")
