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
        format('{} ({}) scores {} {}, but {} positions with similar evidence ({}) are scored {} (usually {} to {}, {} positions).',
               position_title, position_id, replace(factor, '_', ' '), score, jurisdiction,
               replace(replace(replace(evidence_detail::varchar, '"', ''), '{', ''), '}', ''),
               expected_score, expected_low, expected_high, bin_positions) as message,
        json_object(
            'key', factor,
            'factor', factor, 'score', score,
            'evidence', evidence_detail, 'evidence_bin', evidence_bin,
            'expected_score', expected_score,
            'usual_range', [expected_low, expected_high],
            'peer_group', json_object('jurisdiction', jurisdiction, 'positions', bin_positions)
        ) as evidence
    from mismatched
)

select * from final
