-- int_points_bands: one row per tier with its total-points range: the published Victorian
-- ranges (ref_published_bands) plus the ranges data/scoring.toml assumes for unpublished tiers
-- (ref_unpublished_bands). `is_published` says which.
with published as (
    select tier, min_points, max_points, true as is_published from ref_published_bands
),

assumed as (
    select tier, min_points, max_points, false as is_published from ref_unpublished_bands
),

final as (
    select * from published
    union all
    select * from assumed
)

select * from final
