-- int_position_jumps: one row per position (node of int_position_nodes): where pointer jumping
-- up its reporting line ends. In round r each position whose line is still open replaces its
-- pointer (its 2^(r-1)-th manager up the line) by that manager's pointer and adds its count of
-- steps, so a line of L positions is closed in log2(L) rounds, each a join of the open lines to
-- the pointers; an open line has taken exactly 2^r steps after round r. Lines still open after
-- 40 rounds (2^40 steps: no workforce is that deep) lead into a loop: pointer is then a
-- position on the loop and lowest the lowest node among the 2^40 steps, the same for every
-- position of one loop. The first three rounds, which nearly every line takes, are plain joins
-- over integers; the walk (a recursive CTE keyed on the node) takes the few lines still open
-- from there. A model of its own: the walk holds every line in memory, so nothing else is
-- computed beside it (at ten million positions the walk and the joins of int_position_layers
-- together ran out of DuckDB's 2 GB); nodes are 32-bit integers inside it for the same reason.
with recursive nodes as (
    select * from int_position_nodes
),

first_round as (
    -- round 1: each line takes its manager's first step (a line with no manager is closed)
    select staff.node::integer as node, manager.manager_node::integer as pointer,
           case when manager.node is null then 1 else 2 end::bigint as steps,
           least(staff.node, manager.node)::integer as lowest,
           coalesce(manager.is_top, staff.is_top) as reaches_top
    from nodes as staff
    left join nodes as manager on manager.node = staff.manager_node
),

second_round as (
    -- round 2: a line still open takes the two steps its pointer took in round 1
    select line.node, case when up.node is null then line.pointer else up.pointer end as pointer,
           line.steps + coalesce(up.steps, 0) as steps,
           least(line.lowest, up.lowest) as lowest,
           coalesce(up.reaches_top, line.reaches_top) as reaches_top
    from first_round as line
    left join first_round as up on up.node = line.pointer
),

third_round as (
    -- round 3: a line still open takes the four steps its pointer took in round 2
    select line.node, case when up.node is null then line.pointer else up.pointer end as pointer,
           line.steps + coalesce(up.steps, 0) as steps,
           least(line.lowest, up.lowest) as lowest,
           coalesce(up.reaches_top, line.reaches_top) as reaches_top
    from second_round as line
    left join second_round as up on up.node = line.pointer
),

jump (node, pointer, steps, lowest, reaches_top) using key (node) as (
    select node, pointer, steps, lowest, reaches_top
    from third_round
    union
    -- round 4 on: the lines still open (2^40 steps: 40 rounds at most)
    select line.node, up.pointer, line.steps + up.steps, least(line.lowest, up.lowest),
           up.reaches_top
    from jump as line
    join recurring.jump as up on up.node = line.pointer
    where line.steps < 1099511627776
)

select node::bigint as node, pointer::bigint as pointer, steps, lowest::bigint as lowest,
       reaches_top
from jump
