-- int_points_bands: one row per tier with the total-points range it is held against and on
-- what basis: the published Victorian ranges (ref_published_bands, `published`); tiers above
-- the highest published band (`no published range`: only that band's floor is held against
-- them, no ceiling); tiers below the executive service (`below the executive threshold`, an
-- inference: the scale's minimum to one under the lowest published floor). Which tiers are which
-- is data/scoring.toml's [points] (ref_points_tier_kinds). Whether a published range applies to
-- a jurisdiction by publication or through the crosswalk is position_scores' `range_basis`.
-- grain: one row per tier
with published as (
    select * from ref_published_bands
),

tier_kinds as (
    select * from ref_points_tier_kinds
),

edges as (
    select
        min(min_points) as lowest_floor,
        arg_max(min_points, max_points) as top_floor
    from published
),

final as (
    select tier, min_points, max_points, true as is_published, 'published' as range_basis
    from published
    union all
    select tier_kinds.tier, edges.top_floor, null::bigint, false, 'no published range'
    from tier_kinds, edges
    where tier_kinds.kind = 'above_top_band'
    union all
    select tier_kinds.tier, getvariable('scoring__points_scale_minimum'), edges.lowest_floor - 1, false,
           'below the executive threshold'
    from tier_kinds, edges
    where tier_kinds.kind = 'below_executive'
)

select * from final
