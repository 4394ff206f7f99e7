-- position_scores: one row per executive position per snapshot: its latest determination as at
-- the snapshot, its points, the range it is held against (`range_basis` says whether published,
-- assumed through the crosswalk, or not published), the band the points indicate, how far it
-- sits from a band edge, and the factors that drive the result (int_position_points, which also
-- scores the determinations of positions held below the executive service).
-- grain: one row per executive position per snapshot
with points as (
    select * from int_position_points where is_executive
),

final as (
    select * exclude (is_executive) from points
)

select * from final
