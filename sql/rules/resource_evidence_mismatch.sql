-- resource_evidence_mismatch: a factor score that the position's own evidence (staff, budget,
-- locations, units led, planning horizon) does not bear out, judged against how evaluators in
-- the same jurisdiction scored positions with similar evidence (evidence_calibration).
with evidence as (
    select * from factor_evidence where expected_score is not null
),

positions as (
    select snapshot_date, jurisdiction, agency_code, position_id, position_title,
           classification_code
    from positions
),

mismatched as (
    select evidence.*, positions.position_title, positions.classification_code
    from evidence
    join positions using (snapshot_date, jurisdiction, agency_code, position_id)
    where abs(score - expected_score) >= getvariable('resource_evidence_mismatch__min_points_from_expected')
        and (score > expected_high + getvariable('resource_evidence_mismatch__outside_usual_range_by')
             or score < expected_low - getvariable('resource_evidence_mismatch__outside_usual_range_by'))
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'medium' as severity,
        format('{} ({}) scores {} {}, but {} positions with similar evidence ({}) are scored {:g} (usually {:g} to {:g}, {} positions).',
               position_title, position_id, replace(factor, '_', ' '), score, jurisdiction,
               case factor
                   when 'resource_management' then concat_ws(' and ',
                       format('{:,.0f} staff', try_cast(evidence_detail->>'staff_managed' as double)),
                       format('a ${:,.0f} budget', try_cast(evidence_detail->>'budget_managed' as double)))
                   when 'breadth' then concat_ws(' and ',
                       format('{} locations', evidence_detail->>'locations'),
                       format('{} units led', evidence_detail->>'units_led'))
                   else format('a {:g}-year planning horizon',
                               try_cast(evidence_detail->>'planning_horizon_years' as double))
               end,
               round(expected_score, 1), round(expected_low, 1), round(expected_high, 1),
               bin_positions) as message,
        json_object(
            'key', factor,
            'factor', factor, 'score', score,
            'evidence', evidence_detail, 'evidence_bin', evidence_bin,
            'expected_score', expected_score,
            'usual_range', [round(expected_low, 2), round(expected_high, 2)],
            'peer_group', json_object('jurisdiction', jurisdiction, 'evidence_bin', evidence_bin,
                                      'positions', bin_positions),
            'thresholds', json_object(
                'min_points_from_expected', getvariable('resource_evidence_mismatch__min_points_from_expected'),
                'outside_usual_range_by', getvariable('resource_evidence_mismatch__outside_usual_range_by'))
        ) as evidence
    from mismatched
)

select * from final
