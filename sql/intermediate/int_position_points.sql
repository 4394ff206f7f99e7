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
    left join published_bands as indicated
        on scored.total_points between indicated.min_points and indicated.max_points
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

factor_scores as (
    unpivot (select snapshot_date, jurisdiction, agency_code, position_id, held_min_points,
                    held_max_points, knowledge, relationships, judgement_risk, independence,
                    strategic_change, impact, breadth, resource_management from edges)
    on knowledge, relationships, judgement_risk, independence, strategic_change, impact,
       breadth, resource_management
    into name factor value score
),

drivers as (
    -- the three factors furthest from the held band's typical score (its midpoint / 8)
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        string_agg(factor || ' ' || score, ', ' order by distance desc, factor) as drivers
    from (
        select *,
            abs(score - typical_score) as distance,
            row_number() over (
                partition by snapshot_date, jurisdiction, agency_code, position_id
                order by abs(score - typical_score) desc, factor
            ) as driver_rank
        from (
            -- a range with no ceiling (no published range) is typical at its floor's band
            select *, (held_min_points + coalesce(held_max_points,
                (select max(max_points) from published_bands))) / 16.0 as typical_score
            from factor_scores
        )
    )
    where driver_rank <= 3
    group by all
),

final as (
    select
        edges.snapshot_date, edges.jurisdiction, edges.agency_code, edges.agency_name,
        edges.position_id, edges.position_title, edges.classification_code, edges.tier,
        edges.is_executive,
        edges.stream_code, edges.occupancy, edges.staff_managed, edges.budget_managed,
        edges.locations, edges.planning_horizon_years, edges.reports_to_position_id,
        edges.determination_id, edges.decision_date, edges.determined_classification_code,
        edges.determined_tier, edges.method, edges.evaluator, edges.count_determinations,
        edges.knowledge, edges.relationships, edges.judgement_risk, edges.independence,
        edges.strategic_change, edges.impact, edges.breadth, edges.resource_management,
        edges.total_points, edges.recorded_total_points,
        edges.held_min_points, edges.held_max_points, edges.range_basis,
        edges.points_outside_held_band,
        edges.indicated_tier, edges.points_from_boundary,
        edges.points_from_boundary <= getvariable('scoring__borderline_points') as is_borderline,
        getvariable('scoring__borderline_points') as borderline_points,  -- the margin, for the rules
        drivers.drivers
    from edges
    left join drivers
        using (snapshot_date, jurisdiction, agency_code, position_id)
    where edges.is_executive or edges.determination_id is not null
)

select * from final
