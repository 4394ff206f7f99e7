-- rule: reporting_cycle
-- title: Reporting line loops back on itself
-- source: project (data integrity of reporting lines)
-- finds: the reporting line loops back to the position (self-reporting included), of any length
-- severities: high
-- when: high
-- magnitude: count of positions in the loop
-- evidence: loop, loop_length, path_positions
-- grain: one row per position per snapshot on a reporting loop
--
-- following a position's reporting line upwards comes back to the position
-- itself (a position reporting to itself is the shortest loop), however long the loop.
-- By pointer jumping over the reporting pairs (int_position_layers): after round r every
-- position knows its 2^r-th manager up the line, so a line that reaches the top does so within
-- log2(its length) rounds, and the lines still open after the last round lead into a loop. The
-- positions those lines end on are exactly the positions on loops (each loop's positions map
-- onto one another); the loop's lowest position id names it. The evidence walks each loop from
-- the position for at most path_positions steps. A line stays within its workforce.
with recursive lines as not materialized (
    -- read where it is used: a copy of every position's line costs more than the rest of the rule
    select * from int_position_layers
),

on_loops as (
    select distinct snapshot_date, jurisdiction, agency_code, line_end_id as position_id
    from lines
    where line_end_id is not null
),

loops as (
    select on_loops.*, lines.line_lowest_id as loop_id, lines.line_manager_id,
           count(*) over (partition by snapshot_date, jurisdiction, agency_code,
                                       lines.line_lowest_id) as loop_length
    from on_loops
    join lines using (snapshot_date, jurisdiction, agency_code, position_id)
),

walk (snapshot_date, jurisdiction, agency_code, position_id, loop_length, current_id, step,
      loop_path) as (
    select snapshot_date, jurisdiction, agency_code, position_id, loop_length, position_id, 0,
           [position_id]
    from loops
    union all
    select walk.snapshot_date, walk.jurisdiction, walk.agency_code, walk.position_id,
           walk.loop_length, loops.line_manager_id, walk.step + 1,
           list_append(walk.loop_path, loops.line_manager_id)
    from walk
    join loops
        on (loops.snapshot_date, loops.jurisdiction, loops.agency_code, loops.position_id)
           = (walk.snapshot_date, walk.jurisdiction, walk.agency_code, walk.current_id)
    where walk.step < least(walk.loop_length, getvariable('reporting_cycle__path_positions'))
),

paths as (
    select * from walk
    where step = least(loop_length, getvariable('reporting_cycle__path_positions'))
),

positions as (
    -- only the positions on a loop: the final join then reads a handful, not every position
    select * from positions
    semi join on_loops using (snapshot_date, jurisdiction, agency_code, position_id)
),

final as (
    select
        paths.snapshot_date, paths.jurisdiction, paths.agency_code, paths.position_id,
        positions.classification_code as classification,
        'high' as severity,
        case
            when paths.loop_length = 1
                then format('{} ({}) reports to itself.', positions.position_title,
                            paths.position_id)
            when paths.loop_length <= paths.step
                then format('{} ({}) reports in a loop: {}.', positions.position_title,
                            paths.position_id, array_to_string(paths.loop_path, ' reports to '))
            else format('{} ({}) reports in a loop of {} positions: {} reports to ... and back to {}.',
                        positions.position_title, paths.position_id, paths.loop_length,
                        array_to_string(paths.loop_path, ' reports to '), paths.position_id)
        end as message,
        json_object('loop', paths.loop_path, 'loop_length', paths.loop_length,
                    'path_positions', getvariable('reporting_cycle__path_positions')) as evidence,
        paths.loop_length as magnitude
    from paths
    join positions
        using (snapshot_date, jurisdiction, agency_code, position_id)
)

select * from final
