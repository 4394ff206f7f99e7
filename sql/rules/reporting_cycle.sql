-- reporting_cycle: following a position's reporting line upwards comes back to the position
-- itself (a position reporting to itself is the shortest loop). Walked set-wise, bounded by
-- max_depth steps, from positions someone reports to: a loop leads back into each of its
-- positions, and every step up a line arrives at one, so the others (most of a workforce, who
-- manage no one) need not be walked.
with recursive all_edges as (
    select snapshot_date, jurisdiction, agency_code, position_id, reports_to_position_id
    from positions
    where reports_to_position_id is not null
),

edges as (
    select * from all_edges
    where exists (
        select 1 from all_edges as reports
        where reports.snapshot_date = all_edges.snapshot_date
            and reports.jurisdiction = all_edges.jurisdiction
            and reports.agency_code = all_edges.agency_code
            and reports.reports_to_position_id = all_edges.position_id)
),

walk (snapshot_date, jurisdiction, agency_code, start_id, current_id, depth, path) as (
    select snapshot_date, jurisdiction, agency_code, position_id, reports_to_position_id, 1,
           [position_id]
    from edges
    union all
    select walk.snapshot_date, walk.jurisdiction, walk.agency_code, walk.start_id,
           edges.reports_to_position_id, walk.depth + 1, list_append(walk.path, walk.current_id)
    from walk
    join edges
        on edges.snapshot_date = walk.snapshot_date
        and edges.jurisdiction = walk.jurisdiction
        and edges.agency_code = walk.agency_code
        and edges.position_id = walk.current_id
    where walk.current_id <> walk.start_id
        and not list_contains(walk.path, walk.current_id)
        and walk.depth < getvariable('reporting_cycle__max_depth')
),

loops as (
    select snapshot_date, jurisdiction, agency_code, start_id as position_id,
           min(depth) as loop_length, arg_min(list_append(path, current_id), depth) as loop_path
    from walk
    where current_id = start_id
    group by all
),

positions as (
    select * from positions
),

final as (
    select
        loops.snapshot_date, loops.jurisdiction, loops.agency_code, loops.position_id,
        positions.classification_code as classification,
        'high' as severity,
        case when loops.loop_length = 1
            then format('{} ({}) reports to itself.', positions.position_title, loops.position_id)
            else format('{} ({}) reports in a loop: {}.', positions.position_title,
                        loops.position_id, array_to_string(loops.loop_path, ' reports to '))
        end as message,
        json_object('loop', loops.loop_path, 'loop_length', loops.loop_length,
                    'max_depth', getvariable('reporting_cycle__max_depth')) as evidence
    from loops
    join positions
        using (snapshot_date, jurisdiction, agency_code, position_id)
)

select * from final
