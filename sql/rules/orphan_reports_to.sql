-- rule: orphan_reports_to
-- title: Reports to a position that is not in the extract
-- source: project (data integrity of reporting lines)
-- finds: reports to an id not in the agency's extract for that snapshot (an id that differs only in
--   case is named)
-- severities: medium
-- when: medium
-- magnitude: count of positions of the snapshot that report to the same missing id
-- evidence: reports_to_position_id, same_id_but_case, last_seen_snapshot, same_id_in_agencies
-- grain: one row per position per snapshot whose manager is missing
--
-- a position reports to a position id that is not in the same agency's
-- extract for that snapshot. The message names what would explain it: an id differing only in
-- letter case, the same id in an earlier snapshot (a position since abolished or renumbered), or
-- the same id in another agency of the jurisdiction (a reporting line that crosses agencies).
with lines as (
    select * from int_reporting_lines where not is_manager_found
),

positions as not materialized (
    -- read where it is used: a copy of every position costs more than reading it three times
    select snapshot_date, jurisdiction, agency_code, position_id from positions
),

near_misses as (
    select lines.snapshot_date, lines.jurisdiction, lines.agency_code, lines.position_id,
           min(positions.position_id) as same_but_case
    from lines
    join positions
        on positions.snapshot_date = lines.snapshot_date
        and positions.jurisdiction = lines.jurisdiction
        and positions.agency_code = lines.agency_code
        and lower(positions.position_id) = lower(lines.reports_to_position_id)
    group by all
),

earlier as (
    select lines.snapshot_date, lines.jurisdiction, lines.agency_code, lines.position_id,
           max(positions.snapshot_date) as last_seen_snapshot
    from lines
    join positions
        on positions.snapshot_date < lines.snapshot_date
        and positions.jurisdiction = lines.jurisdiction
        and positions.agency_code = lines.agency_code
        and positions.position_id = lines.reports_to_position_id
    group by all
),

elsewhere as (
    select lines.snapshot_date, lines.jurisdiction, lines.agency_code, lines.position_id,
           string_agg(distinct positions.agency_code, ', ' order by positions.agency_code) as other_agencies
    from lines
    join positions
        on positions.snapshot_date = lines.snapshot_date
        and positions.jurisdiction = lines.jurisdiction
        and positions.agency_code <> lines.agency_code
        and positions.position_id = lines.reports_to_position_id
    group by all
),

final as (
    select
        lines.snapshot_date, lines.jurisdiction, lines.agency_code, lines.position_id,
        lines.classification_code as classification,
        'medium' as severity,
        count(*) over (partition by lines.snapshot_date, lines.jurisdiction, lines.agency_code,
                                    lines.reports_to_position_id)::double as magnitude,
        format('{} ({}) reports to {}, which is not in the agency''s extract for {}{}.',
               lines.position_title, lines.position_id, lines.reports_to_position_id,
               lines.snapshot_date,
               case
                   when near_misses.same_but_case is not null
                       then format(' (position {} differs only in letter case)', near_misses.same_but_case)
                   when earlier.last_seen_snapshot is not null
                       then format(' (it was last in the extract for {})', earlier.last_seen_snapshot)
                   when elsewhere.other_agencies is not null
                       then format(' (a position {} is in the extract of {})',
                                   lines.reports_to_position_id, elsewhere.other_agencies)
                   else ''
               end) as message,
        json_object('reports_to_position_id', lines.reports_to_position_id,
                    'same_id_but_case', near_misses.same_but_case,
                    'last_seen_snapshot', earlier.last_seen_snapshot,
                    'same_id_in_agencies', elsewhere.other_agencies) as evidence
    from lines
    left join near_misses
        using (snapshot_date, jurisdiction, agency_code, position_id)
    left join earlier
        using (snapshot_date, jurisdiction, agency_code, position_id)
    left join elsewhere
        using (snapshot_date, jurisdiction, agency_code, position_id)
)

select * from final
