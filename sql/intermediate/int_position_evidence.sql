-- int_position_evidence: one row per scored executive position per snapshot per factor the
-- extract holds evidence for (resource_management, breadth, independence): the evaluator's score,
-- a single evidence value, the raw measures behind it, and the evidence bin within the
-- position's jurisdiction and snapshot (getvariable('calibration_bins') groups by percent rank:
-- about equal in size, and never splitting positions with equal evidence).
with scores as (
    select * from position_scores where total_points is not null
),

positions as (
    select * from positions
),

units_led as (
    -- "functions under the position": direct reports that themselves lead staff
    select snapshot_date, jurisdiction, agency_code, reports_to_position_id as position_id,
           count(*) filter (where staff_managed > 0) as count_units_led
    from positions
    where reports_to_position_id is not null
    group by all
),

ranked as (
    -- percentile ranks within jurisdiction and snapshot, among positions that have the measure
    select
        scores.*,
        coalesce(units_led.count_units_led, 0) as count_units_led,
        case when staff_managed is not null then percent_rank() over (
            partition by scores.snapshot_date, scores.jurisdiction, staff_managed is null
            order by staff_managed) end as staff_rank,
        case when budget_managed is not null then percent_rank() over (
            partition by scores.snapshot_date, scores.jurisdiction, budget_managed is null
            order by budget_managed) end as budget_rank,
        case when locations is not null then percent_rank() over (
            partition by scores.snapshot_date, scores.jurisdiction, locations is null
            order by locations) end as locations_rank,
        percent_rank() over (
            partition by scores.snapshot_date, scores.jurisdiction
            order by coalesce(units_led.count_units_led, 0)) as units_rank
    from scores
    left join units_led
        using (snapshot_date, jurisdiction, agency_code, position_id)
),

long as (
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'resource_management' as factor, resource_management as score,
           (coalesce(staff_rank, budget_rank) + coalesce(budget_rank, staff_rank)) / 2 as evidence_value,
           json_object('staff_managed', staff_managed, 'budget_managed', budget_managed) as evidence_detail
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'breadth', breadth,
           case when locations_rank is not null then (locations_rank + units_rank) / 2 end,
           json_object('locations', locations, 'units_led', count_units_led)
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'independence', independence,
           planning_horizon_years,
           json_object('planning_horizon_years', planning_horizon_years)
    from ranked
),

final as (
    select
        *,
        -- bins by percent rank, so positions with equal evidence always share a bin (ntile
        -- would split ties at random)
        case when evidence_value is not null then least(
            getvariable('calibration_bins'),
            1 + floor(getvariable('calibration_bins') * percent_rank() over (
                partition by snapshot_date, jurisdiction, factor, evidence_value is null
                order by evidence_value))::integer) end as evidence_bin
    from long
    where score is not null
)

select * from final
