-- rule: reporting_cycle
-- title: Reporting line loops back on itself
-- source: project (data integrity of reporting lines)
-- finds: the reporting line loops back to the position (self-reporting included)
-- severities: high
-- when: high
-- magnitude: count of positions in the loop
-- evidence: loop, loop_length, max_depth
-- grain: one row per position per snapshot on a reporting loop
--
-- following a position's reporting line upwards comes back to the position
-- itself (a position reporting to itself is the shortest loop), within max_depth steps.
-- Set-wise: a position on a loop has someone reporting to it, and so does whoever reports to it
-- on the loop, so the lines of positions that no one reports to are peeled off, twice (most of
-- a workforce, who manage no one, then their managers); loops survive any number of peels. The
-- walk upwards from what is left carries no path; the paths of the few loops found are walked
-- again afterwards, for the evidence. A line stays within its workforce (one agency's snapshot).
with recursive all_edges as (
    select {'snapshot_date': snapshot_date, 'jurisdiction': jurisdiction,
            'agency_code': agency_code} as workforce,
           position_id, reports_to_position_id
    from positions
    where reports_to_position_id is not null
),

managed_once as (  -- lines of positions that someone reports to
    select * from all_edges
    semi join (select distinct workforce, reports_to_position_id as position_id
               from all_edges) as managers
        using (workforce, position_id)
),

edges as (  -- of those, lines of positions that one of those positions reports to
    select * from managed_once
    semi join (select distinct workforce, reports_to_position_id as position_id
               from managed_once) as managers
        using (workforce, position_id)
),

walk (workforce, start_id, current_id, depth) as (
    select workforce, position_id, reports_to_position_id, 1
    from edges
    union all
    select walk.workforce, walk.start_id, edges.reports_to_position_id, walk.depth + 1
    from walk
    join edges
        on edges.workforce = walk.workforce and edges.position_id = walk.current_id
    where walk.current_id <> walk.start_id
        and walk.depth < getvariable('reporting_cycle__max_depth')
),

loop_starts as (
    select workforce, start_id as position_id, min(depth) as loop_length
    from walk
    where current_id = start_id
    group by all
),

loop_walk (workforce, position_id, loop_length, current_id, step, loop_path) as (
    select workforce, position_id, loop_length, position_id, 0, [position_id]
    from loop_starts
    union all
    select loop_walk.workforce, loop_walk.position_id, loop_walk.loop_length,
           edges.reports_to_position_id, loop_walk.step + 1,
           list_append(loop_walk.loop_path, edges.reports_to_position_id)
    from loop_walk
    join edges
        on edges.workforce = loop_walk.workforce and edges.position_id = loop_walk.current_id
    where loop_walk.step < loop_walk.loop_length
),

loops as (
    -- back at the start after loop_length steps; one path per position, should a workforce
    -- ever hold a position id twice (the positions key forbids it)
    select workforce.*, position_id, loop_length, loop_path
    from loop_walk
    where step = loop_length and current_id = position_id
    qualify row_number() over (partition by workforce, position_id order by loop_path) = 1
),

positions as (
    select * from positions
),

final as (
    select
        loops.snapshot_date, loops.jurisdiction, loops.agency_code, loops.position_id,
        positions.classification_code as classification,
        'high' as severity,
        loops.loop_length::double as magnitude,
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
