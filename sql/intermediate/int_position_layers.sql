-- int_position_layers: one row per position per snapshot reachable from a top position (one
-- that reports to no one): its layer, 1 for the top. Walked set-wise down the reporting lines;
-- positions in a reporting loop or under an orphan link are not reached (other rules flag them).
with recursive edges as (
    select snapshot_date, jurisdiction, agency_code, position_id, reports_to_position_id
    from positions
),

walk (snapshot_date, jurisdiction, agency_code, position_id, layer) as (
    select snapshot_date, jurisdiction, agency_code, position_id, 1
    from edges
    where reports_to_position_id is null
    union all
    select edges.snapshot_date, edges.jurisdiction, edges.agency_code, edges.position_id,
           walk.layer + 1
    from walk
    join edges
        on edges.snapshot_date = walk.snapshot_date
        and edges.jurisdiction = walk.jurisdiction
        and edges.agency_code = walk.agency_code
        and edges.reports_to_position_id = walk.position_id
    where walk.layer < 60
),

final as (
    select snapshot_date, jurisdiction, agency_code, position_id, min(layer) as layer
    from walk
    group by all
)

select * from final
