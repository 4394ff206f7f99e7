-- rule: resource_evidence_mismatch
-- title: Factor score the position's own evidence does not bear out
-- source: 004 (FTE, budget and delegations as evidence of Resource management and Impact); 000, 001
--   (size is relative to the agency); docs/scoring.md
-- finds: a resource management, breadth or independence score the position's evidence does not bear
--   out, against every usable calibrated expectation (absolute amounts and the share of the
--   agency's workforce and budget)
-- severities: medium
-- when: medium
-- magnitude: points between the score and the nearer calibrated expected score
-- evidence: key, factor, score, evidence, evidence_bin, expected_score, usual_range, peer_group,
--   thresholds, calibrated_on, share_of_agency, share_expected_score
-- grain: one row per scored executive position per snapshot per evidence-backed factor
--
-- a factor score that the position's own evidence (staff, budget,
-- locations, units led, planning horizon) does not bear out, judged against how evaluators in
-- the same jurisdiction scored positions with similar evidence (evidence_calibration). Size is
-- relative (seed 000, Band 1 "in smaller agencies"; seed 001, Band 3 "the whole of a smaller
-- one"): resource_management is calibrated on absolute amounts AND on the share of the agency's
-- workforce and budget, and flagged only where every usable calibration disagrees with the
-- score the same way; the evidence says which calibrations it rests on (`calibrated_on`).
with evidence as (
    select * from factor_evidence
    where expected_score is not null or share_expected_score is not null
),

positions as (
    select snapshot_date, jurisdiction, agency_code, position_id, position_title,
           classification_code
    from positions
),

judged as (
    -- per calibration: +1 the score is above what it bears out, -1 below, 0 it bears it out
    select
        *,
        case
            when expected_score is null then null
            when abs(score - expected_score) < getvariable('resource_evidence_mismatch__min_points_from_expected') then 0
            when score > expected_high + getvariable('resource_evidence_mismatch__outside_usual_range_by') then 1
            when score < expected_low - getvariable('resource_evidence_mismatch__outside_usual_range_by') then -1
            else 0
        end as absolute_verdict,
        case
            when share_expected_score is null then null
            when abs(score - share_expected_score) < getvariable('resource_evidence_mismatch__min_points_from_expected') then 0
            when score > share_expected_high + getvariable('resource_evidence_mismatch__outside_usual_range_by') then 1
            when score < share_expected_low - getvariable('resource_evidence_mismatch__outside_usual_range_by') then -1
            else 0
        end as share_verdict
    from evidence
),

mismatched as (
    select judged.*, positions.position_title, positions.classification_code,
           case
               when absolute_verdict is not null and share_verdict is not null then ['absolute', 'share']
               when absolute_verdict is not null then ['absolute']
               else ['share']
           end as calibrated_on
    from judged
    join positions using (snapshot_date, jurisdiction, agency_code, position_id)
    where coalesce(absolute_verdict, share_verdict) <> 0
        and coalesce(share_verdict, absolute_verdict) = coalesce(absolute_verdict, share_verdict)
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'medium' as severity,
        format('{} ({}) scores {} {}, but {}.',
               position_title, position_id, replace(factor, '_', ' '), score,
               concat_ws('; and ',
                   case when absolute_verdict is not null then format(
                       '{} positions with similar evidence ({}) are scored {:g} (usually {:g} to {:g}, {} positions)',
                       jurisdiction,
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
                       bin_positions) end,
                   case when share_verdict is not null then format(
                       'positions managing a similar share of their agency ({}) are scored {:g} (usually {:g} to {:g}, {} positions)',
                       concat_ws(' and ',
                           format('{:.0f}% of its staff', 100 * try_cast(share_evidence_detail->>'staff_share' as double)),
                           format('{:.0f}% of its budget', 100 * try_cast(share_evidence_detail->>'budget_share' as double))),
                       round(share_expected_score, 1), round(share_expected_low, 1),
                       round(share_expected_high, 1), share_bin_positions) end)) as message,
        json_object(
            'key', factor,
            'factor', factor, 'score', score,
            'calibrated_on', calibrated_on,
            'evidence', evidence_detail, 'evidence_bin', evidence_bin,
            'expected_score', expected_score,
            'usual_range', [round(expected_low, 2), round(expected_high, 2)],
            'share_of_agency', share_evidence_detail, 'share_evidence_bin', share_evidence_bin,
            'share_expected_score', share_expected_score,
            'share_usual_range', [round(share_expected_low, 2), round(share_expected_high, 2)],
            'peer_group', json_object('jurisdiction', jurisdiction, 'evidence_bin', evidence_bin,
                                      'positions', bin_positions,
                                      'share_evidence_bin', share_evidence_bin,
                                      'share_positions', share_bin_positions),
            'source', '000 and 001 (size is relative to the agency); docs/scoring.md (calibration)',
            'thresholds', json_object(
                'min_points_from_expected', getvariable('resource_evidence_mismatch__min_points_from_expected'),
                'outside_usual_range_by', getvariable('resource_evidence_mismatch__outside_usual_range_by'))
        ) as evidence,
        -- points from the nearer calibrated expectation
        least(abs(score - expected_score), abs(score - share_expected_score))::double as magnitude
    from mismatched
)

select * from final
