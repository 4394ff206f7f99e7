-- int_position_layers: one row per position per snapshot: its layer (1 for a top position, one
-- that reports to no one; null when its line does not reach a top: it runs into a reporting loop
-- or to a position not in the extract, which other rules flag), and where its line ends.
-- Found by pointer jumping over the reporting pairs, for lines of any length: in round r each
-- position whose line is still open replaces its pointer (its 2^(r-1)-th manager up the line)
-- by that manager's pointer and adds its count of steps, so a line of L positions is closed in
-- log2(L) rounds, each a join of the open lines to the pointers. Lines still open after
-- max_rounds rounds (2^40 steps: no workforce is that deep) lead into a loop: line_end_id is
-- then a position on the loop (2^40 steps up the line) and line_lowest_id the lowest position
-- id among the 2^40 steps, the same for every position of one loop (reporting_cycle reads both).
with recursive edges as (
    select staff.snapshot_date, staff.jurisdiction, staff.agency_code, staff.position_id,
           manager.position_id as manager_id,
           staff.reports_to_position_id is null as is_top
    from positions as staff
    left join positions as manager
        on manager.snapshot_date = staff.snapshot_date
        and manager.jurisdiction = staff.jurisdiction
        and manager.agency_code = staff.agency_code
        and manager.position_id = staff.reports_to_position_id
),

jump (snapshot_date, jurisdiction, agency_code, position_id, pointer, steps, lowest_id,
      reaches_top, round) using key (snapshot_date, jurisdiction, agency_code, position_id) as (
    select snapshot_date, jurisdiction, agency_code, position_id, manager_id, 1::bigint, position_id,
           is_top, 0
    from edges
    union
    select line.snapshot_date, line.jurisdiction, line.agency_code, line.position_id,
           up.pointer, line.steps + up.steps, least(line.lowest_id, up.lowest_id),
           up.reaches_top, line.round + 1
    from jump as line
    join recurring.jump as up
        on up.snapshot_date = line.snapshot_date
        and up.jurisdiction = line.jurisdiction
        and up.agency_code = line.agency_code
        and up.position_id = line.pointer
    where line.round < 40
),

final as (
    select
        jump.snapshot_date, jump.jurisdiction, jump.agency_code, jump.position_id,
        case when jump.pointer is null and jump.reaches_top then jump.steps end as layer,
        edges.manager_id as line_manager_id,
        jump.pointer as line_end_id,
        jump.lowest_id as line_lowest_id
    from jump
    join edges using (snapshot_date, jurisdiction, agency_code, position_id)
)

select * from final
