-- int_position_nodes: one row per position per snapshot, numbered (node) in key order, with the
-- node of the position it reports to (null when that position is not in the same snapshot of
-- the same agency) and whether it reports to no one. The reporting-line walk
-- (int_position_jumps) keeps a few integers per line rather than four text keys; numbered in
-- key order, the lowest node of a workforce is its lowest position id.
with positions as (
    select * from positions
),

nodes as (
    select snapshot_date, jurisdiction, agency_code, position_id, reports_to_position_id,
           row_number() over (order by snapshot_date, jurisdiction, agency_code, position_id)
               as node
    from positions
),

final as (
    select staff.snapshot_date, staff.jurisdiction, staff.agency_code, staff.position_id,
           staff.reports_to_position_id, staff.node, manager.node as manager_node,
           staff.reports_to_position_id is null as is_top
    from nodes as staff
    left join nodes as manager
        on manager.snapshot_date = staff.snapshot_date
        and manager.jurisdiction = staff.jurisdiction
        and manager.agency_code = staff.agency_code
        and manager.position_id = staff.reports_to_position_id
)

select * from final
