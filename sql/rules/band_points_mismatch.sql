-- band_points_mismatch: the latest determination's factor points indicate another band than the
-- one the position holds; severity by how far outside the held band's range the total sits.
with scores as (
    select * from position_scores
    where total_points is not null and points_outside_held_band <> 0
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case
            when abs(points_outside_held_band) >= getvariable('band_points_mismatch__high_from_points') then 'high'
            when abs(points_outside_held_band) >= getvariable('band_points_mismatch__medium_from_points') then 'medium'
            else 'low'
        end as severity,
        format('{} ({}) is held at {}, but its determination''s factors total {} points, {} {} the {} range of {} to {}; the points indicate {}.',
               position_title, position_id, classification_code, total_points,
               abs(points_outside_held_band),
               case when points_outside_held_band > 0 then 'above' else 'below' end,
               tier, held_min_points, held_max_points,
               case indicated_tier when 'BELOW_SES' then 'a position below the executive service'
                   else coalesce(indicated_tier, 'no band') end) as message,
        json_object(
            'total_points', total_points,
            'held_tier', tier,
            'held_range', [held_min_points, held_max_points],
            'points_outside_held_range', points_outside_held_band,
            'indicated_tier', indicated_tier,
            'determination_id', determination_id,
            'decision_date', decision_date,
            'factors', json_object('knowledge', knowledge, 'relationships', relationships,
                'judgement_risk', judgement_risk, 'independence', independence,
                'strategic_change', strategic_change, 'impact', impact, 'breadth', breadth,
                'resource_management', resource_management),
            'drivers', drivers,
            'thresholds', json_object(
                'high_from_points', getvariable('band_points_mismatch__high_from_points'),
                'medium_from_points', getvariable('band_points_mismatch__medium_from_points'))
        ) as evidence
    from scores
)

select * from final
