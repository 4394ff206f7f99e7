-- int_position_jumps: one row per position (node of int_position_nodes): where pointer jumping
-- up its reporting line ends. In round r each position whose line is still open replaces its
-- pointer (its 2^(r-1)-th manager up the line) by that manager's pointer and adds its count of
-- steps, so a line of L positions is closed in log2(L) rounds, each a join of the open lines to
-- the pointers. Lines still open after 40 rounds (2^40 steps: no workforce is that deep) lead
-- into a loop: pointer is then a position on the loop and lowest the lowest node among the
-- 2^40 steps, the same for every position of one loop. A model of its own: the walk holds every
-- line in memory, so nothing else is computed beside it (at ten million positions the walk
-- and the joins of int_position_layers together ran out of DuckDB's 2 GB).
with recursive nodes as (
    select * from int_position_nodes
),

jump (node, pointer, steps, lowest, reaches_top, round) using key (node) as (
    select node, manager_node, 1::bigint, node, is_top, 0
    from nodes
    union
    select line.node, up.pointer, line.steps + up.steps, least(line.lowest, up.lowest),
           up.reaches_top, line.round + 1
    from jump as line
    join recurring.jump as up on up.node = line.pointer
    where line.round < 40
)

select node, pointer, steps, lowest, reaches_top from jump
