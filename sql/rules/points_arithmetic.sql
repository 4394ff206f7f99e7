-- rule: points_arithmetic
-- title: Recorded total differs from the sum of the eight factor scores
-- source: 001 (the total is the sum of the eight factor scores); ../shared/CONTRACT.md
-- finds: the agency's recorded total_points differ from the sum of the latest determination's
--   eight factor scores
-- severities: medium
-- when: medium from min_points_difference points apart
-- magnitude: points between the recorded total and the sum of the scores
-- evidence: determination_id, recorded_total_points, sum_of_scores, difference, factors, thresholds
-- grain: one row per position per snapshot whose latest determination's recorded total is not
--   the sum of its scores
--
-- Only a determination with all eight factors scored has a sum; one with a factor blank, or with
-- no recorded total, says nothing here. Every determination in force counts, executive or not
-- (int_position_points).
with points as (
    select * from int_position_points
    where determination_id is not null
        and total_points is not null and recorded_total_points is not null
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'medium' as severity,
        abs(recorded_total_points - total_points)::double as magnitude,
        format('Determination {} for {} ({}) records a total of {:g} points, but its eight factor scores sum to {}: a difference of {:g}.',
               determination_id, position_title, position_id, recorded_total_points,
               total_points, abs(recorded_total_points - total_points)) as message,
        json_object(
            'determination_id', determination_id,
            'recorded_total_points', recorded_total_points,
            'sum_of_scores', total_points,
            'difference', recorded_total_points - total_points,
            'factors', json_object('knowledge', knowledge, 'relationships', relationships,
                'judgement_risk', judgement_risk, 'independence', independence,
                'strategic_change', strategic_change, 'impact', impact, 'breadth', breadth,
                'resource_management', resource_management),
            'thresholds', json_object(
                'min_points_difference', getvariable('points_arithmetic__min_points_difference'))
        ) as evidence
    from points
    where abs(recorded_total_points - total_points)
        >= getvariable('points_arithmetic__min_points_difference')
)

select * from final
