"""Data quality page queries: loads, their reconciliation, the quarantine, unmapped spellings."""

from __future__ import annotations

import polars as pl

from dashboards.queries.base import Connection, frame, has_column
from dashboards.queries.registry import Given, PageQueries, PageQuery
from pipeline.contract import SPECS

PERSON_COLUMNS = ("evaluator",)  # contract columns that name a person


def load_audit(connection: Connection) -> pl.DataFrame:
    """Return every file load, newest first, with whether its counts reconcile.

    note is what the load says of the file as a whole (a header-only file: "no rows: the
    publisher sent the header only"); null on a warehouse written before it was recorded.
    """
    note = "note" if has_column(connection, "load_audit", "note") else "null::varchar"
    return frame(connection, f"""
        select source_file, extract_kind, rows_read, rows_loaded, rows_quarantined,
            rows_read = rows_loaded + rows_quarantined as reconciles, {note} as note,
            loaded_at, superseded_at, notes, left(sha256, 12) as sha256_prefix
        from load_audit
        order by loaded_at desc, source_file""")


def quarantine_reasons(connection: Connection) -> pl.DataFrame:
    """Return per extract kind, column and reason (values blanked): rows quarantined."""
    return frame(connection, """
        with reasons as (
            select quarantine.source_file, quarantine.row_number,
                -- reasons are "; "-joined and each starts "column: " (a reason's own text
                -- may hold "; ", so split only where a column name follows)
                unnest(string_split(regexp_replace(quarantine.reason, '; (\\w+): ',
                                                   chr(31) || '\\1: ', 'g'), chr(31))) as reason
            from quarantine
        ),
        kinds as (
            select distinct source_file, extract_kind from load_audit
        )
        select coalesce(kinds.extract_kind, 'unknown') as extract_kind,
            coalesce(nullif(regexp_extract(reason, '^(\\w+):', 1), ''), '(whole row)')
                as "column",
            regexp_replace(reason, '''[^'']*''', '…', 'g') as reason,
            count(distinct reasons.source_file || ':' || reasons.row_number) as count_rows
        from reasons
        left join kinds using (source_file)
        group by all
        order by count_rows desc, extract_kind, "column", reason""")


def quarantine_rows(connection: Connection, limit: int = 500) -> pl.DataFrame:
    """Return up to ``limit`` quarantined rows: file, row, reasons and the row as read.

    The raw record keeps its extract kind's contract columns only (an extra column such as a
    name or an email is dropped, and so is a file of no known kind's whole record), less the
    evaluator: no person is named on the dashboard.
    """
    return frame(connection, """
        with contract as (
            select unnest($contract, recursive := true)
        ),
        kinds as (
            select distinct source_file, extract_kind from load_audit
        ),
        shown as (
            select quarantine.source_file, quarantine.row_number, quarantine.reason,
                quarantine.raw_record, coalesce(contract.columns, []) as columns
            from quarantine
            left join kinds using (source_file)
            left join contract on contract.kind = kinds.extract_kind
            order by quarantine.source_file, quarantine.row_number
            limit $limit
        )
        select source_file, row_number, reason,
            json_merge_patch(raw_record, coalesce(to_json(map_from_entries(list_transform(
                list_filter(json_keys(raw_record), lambda key: not list_contains(columns, key)),
                lambda key: struct_pack(key := key, value := null::json)))), '{}'))::varchar
                as raw_record
        from shown
        order by source_file, row_number""", {"limit": limit, "contract": shown_columns()})


def shown_columns() -> list[dict[str, object]]:
    """Return per extract kind the raw columns the dashboard may show: the contract's, no person."""
    return [{"kind": kind.value, "columns": [column for column in spec.columns
                                             if column not in PERSON_COLUMNS]}
            for kind, spec in SPECS.items()]


def unmapped_spellings(connection: Connection) -> pl.DataFrame:
    """Return each classification spelling no pattern maps, with the rows that use it."""
    return frame(connection, """
        with used as (
            select jurisdiction, classification as spelling, 'positions' as extract_kind,
                agency_code
            from positions where classification_code is null
            union all
            select jurisdiction, determined_classification, 'determinations', agency_code
            from determinations where determined_classification_code is null
        )
        select jurisdiction, spelling, extract_kind, count(*) as count_rows,
            count(distinct agency_code) as count_agencies
        from used
        group by all
        order by count_rows desc, jurisdiction, spelling""")


def validation_results(connection: Connection) -> pl.DataFrame:
    """Return per extract kind: files, rows read, loaded and quarantined, and the share loaded."""
    return frame(connection, """
        select extract_kind, count(*) as files, sum(rows_read)::bigint as rows_read,
            sum(rows_loaded)::bigint as rows_loaded,
            sum(rows_quarantined)::bigint as rows_quarantined,
            round(sum(rows_loaded) / nullif(sum(rows_read), 0), 4) as share_loaded,
            bool_and(rows_read = rows_loaded + rows_quarantined) as reconciles
        from load_audit
        where superseded_at is null
        group by extract_kind
        order by extract_kind""")


PAGE = PageQueries("data-quality", "data quality", (
    PageQuery("validation_results", validation_results),
    PageQuery("load_audit", load_audit),
    PageQuery("quarantine_reasons", quarantine_reasons),
    PageQuery("quarantine_rows", quarantine_rows, (Given(500),)),
    PageQuery("unmapped_spellings", unmapped_spellings)))
