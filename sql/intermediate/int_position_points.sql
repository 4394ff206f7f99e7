-- int_position_points: one row per position per snapshot that is executive or has a
-- determination in force: its latest determination as at the snapshot, points recomputed from
-- the eight factors, the range it is held against and on what basis (published, assumed through
-- the crosswalk, no published range, below the executive threshold), the band the points
-- indicate, how far it sits from a band edge, and the factors that drive the result. Every
-- determination is scored, a position held below the executive service too (position_scores
-- keeps the executive positions).
-- grain: one row per position per snapshot, executive or with a determination in force
with decided_positions as (
    select distinct jurisdiction, agency_code, position_id from determinations
),

positions as (
    -- executive positions, and any other position that has a determination (a semi join)
    select * from positions
    where is_executive
        or (jurisdiction, agency_code, position_id) in (select * from decided_positions)
),

determinations as (
    -- one decision per position and date (the higher id), so the as-of join is deterministic
    select * from int_latest_determinations
    qualify row_number() over (
        partition by jurisdiction, agency_code, position_id, decision_date
        order by determination_id desc) = 1
),

bands as (
    select * from int_points_bands
),

published_bands as (
    select * from bands where is_published
),

indicated_bands as (
    -- the published band each total scored falls in: worked out once per distinct total, so
    -- that each position finds its band by an equality join
    select totals.total_points, bands.tier, bands.min_points, bands.max_points
    from (select distinct computed_points as total_points from determinations) as totals
    join published_bands as bands
        on totals.total_points between bands.min_points and bands.max_points
),

as_at_snapshot as (
    -- the latest determination decided on or before the snapshot date
    select
        positions.*,
        determinations.determination_id,
        determinations.decision_date,
        determinations.determined_classification_code,
        determinations.determined_tier,
        determinations.method,
        determinations.evaluator,
        determinations.knowledge, determinations.relationships,
        determinations.judgement_risk, determinations.independence,
        determinations.strategic_change, determinations.impact,
        determinations.breadth, determinations.resource_management,
        determinations.computed_points as total_points,
        determinations.total_points as recorded_total_points,
        determinations.count_determinations,
        points_jurisdictions.jurisdiction is not null as uses_points,
        coalesce(points_jurisdictions.is_published_here, false) as is_published_here
    from positions
    left join ref_points_jurisdictions as points_jurisdictions
        on points_jurisdictions.jurisdiction = positions.jurisdiction
    asof left join determinations
        on determinations.jurisdiction = positions.jurisdiction
        and determinations.agency_code = positions.agency_code
        and determinations.position_id = positions.position_id
        and determinations.decision_date <= positions.snapshot_date
),

banded as (
    select
        scored.*,
        held.min_points as held_min_points,
        held.max_points as held_max_points,
        case
            when held.range_basis = 'published' and not scored.is_published_here
                then 'assumed range (crosswalk)'
            else held.range_basis
        end as range_basis,
        case
            when scored.total_points is null or not scored.uses_points then null
            when indicated.tier is not null then indicated.tier
            when scored.total_points < (select min(min_points) from published_bands) then 'BELOW_SES'
        end as indicated_tier,
        indicated.min_points as indicated_min_points,
        indicated.max_points as indicated_max_points,
        case
            when held.min_points is null then null
            when scored.total_points < held.min_points then scored.total_points - held.min_points
            when scored.total_points > held.max_points then scored.total_points - held.max_points  -- no ceiling: never above
            else 0
        end as points_outside_held_band
    from as_at_snapshot as scored
    left join bands as held
        on held.tier = scored.tier
        and scored.uses_points
    left join indicated_bands as indicated
        on indicated.total_points = scored.total_points
),

edges as (
    -- distance to the nearest band edge that another band (or the executive threshold) shares
    select
        banded.*,
        least(
            case when indicated_min_points is not null then total_points - indicated_min_points end,
            case when indicated_max_points < (select max(max_points) from published_bands)
                then indicated_max_points - total_points end,
            case when indicated_tier = 'BELOW_SES'
                then (select min(min_points) from published_bands) - total_points - 1 end
        ) as points_from_boundary
    from banded
),

driven as (
    -- the three factors furthest from the held band's typical score (its midpoint / 8; a
    -- range with no ceiling, no published range, is typical at its floor's band), ties in
    -- factor name order; a factor not scored is left out. Worked out on each row's own list
    -- of eight scores: no unpivot, no window and no join back.
    select
        * exclude (typical_score),
        nullif(array_to_string(list_transform(list_slice(list_sort(list_transform(
            list_filter([
                {'factor': 'knowledge', 'score': knowledge},
                {'factor': 'relationships', 'score': relationships},
                {'factor': 'judgement_risk', 'score': judgement_risk},
                {'factor': 'independence', 'score': independence},
                {'factor': 'strategic_change', 'score': strategic_change},
                {'factor': 'impact', 'score': impact},
                {'factor': 'breadth', 'score': breadth},
                {'factor': 'resource_management', 'score': resource_management}
            ], lambda scored: scored.score is not null),
            -- sorted by distance descending, then factor: the negated distance first (0 for
            -- every factor when the position holds no band: factor order alone)
            lambda scored: {'order': coalesce(-abs(scored.score - typical_score), 0),
                            'factor': scored.factor, 'score': scored.score})), 1, 3),
            lambda driver: driver.factor || ' ' || driver.score), ', '), '') as drivers
    from (
        select *, (held_min_points + coalesce(held_max_points,
            (select max(max_points) from published_bands))) / 16.0 as typical_score
        from edges
    )
),

final as (
    select
        driven.snapshot_date, driven.jurisdiction, driven.agency_code, driven.agency_name,
        driven.position_id, driven.position_title, driven.classification_code, driven.tier,
        driven.is_executive,
        driven.stream_code, driven.occupancy, driven.staff_managed, driven.budget_managed,
        driven.locations, driven.planning_horizon_years, driven.reports_to_position_id,
        driven.determination_id, driven.decision_date, driven.determined_classification_code,
        driven.determined_tier, driven.method, driven.evaluator, driven.count_determinations,
        driven.knowledge, driven.relationships, driven.judgement_risk, driven.independence,
        driven.strategic_change, driven.impact, driven.breadth, driven.resource_management,
        driven.total_points, driven.recorded_total_points,
        driven.held_min_points, driven.held_max_points, driven.range_basis,
        driven.points_outside_held_band,
        driven.indicated_tier, driven.points_from_boundary,
        driven.points_from_boundary <= getvariable('scoring__borderline_points') as is_borderline,
        getvariable('scoring__borderline_points') as borderline_points,  -- the margin, for the rules
        driven.drivers
    from driven
    where driven.is_executive or driven.determination_id is not null
)

select * from final
