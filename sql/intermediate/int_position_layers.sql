-- int_position_layers: one row per position per snapshot: its layer (1 for a top position, one
-- that reports to no one; null when its line does not reach a top: it runs into a reporting loop
-- or to a position not in the extract, which other rules flag), and where its line ends.
-- Found by pointer jumping over the reporting pairs (int_position_jumps), for lines of any
-- length. A line that leads into a loop ends (line_end_id) at a position on the loop, and
-- line_lowest_id is the lowest position id among the 2^40 steps up it, the same for every
-- position of one loop (reporting_cycle reads both).
-- (nodes and jumps are read where they are used, not materialized: at ten million positions
-- a materialized copy of every node is memory the joins need)
with nodes as not materialized (
    select * from int_position_nodes
),

jumps as not materialized (
    select * from int_position_jumps
),

ids as (
    select node, position_id from nodes
),

line_ends as (
    -- where a line that leads into a loop ends (the other lines end at no pointer): few lines,
    -- so they are looked up on their own rather than every line joined to the ids
    select jumps.node, ids.position_id as line_end_id
    from jumps
    join ids on ids.node = jumps.pointer
    where jumps.pointer is not null
),

final as (
    -- the manager found is the position reported to: its id is the one the line names
    select
        nodes.snapshot_date, nodes.jurisdiction, nodes.agency_code, nodes.position_id,
        case when jumps.pointer is null and jumps.reaches_top then jumps.steps end as layer,
        case when nodes.manager_node is not null then nodes.reports_to_position_id end
            as line_manager_id,
        line_ends.line_end_id,
        lowest.position_id as line_lowest_id
    from jumps
    join nodes using (node)
    left join line_ends using (node)
    join ids as lowest on lowest.node = jumps.lowest
)

select * from final
