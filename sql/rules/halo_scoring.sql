-- rule: halo_scoring
-- title: All eight factors scored the same
-- source: project (beyond the contract: factors are assessed one by one)
-- finds: all eight factors of the latest determination scored the same, inside the scale (a
--   flat profile at the scale's top or bottom is the scale's limit, not a halo)
-- severities: low
-- when: low
-- magnitude: count of the evaluator's flat determinations in the snapshot
-- evidence: determination_id, score_every_factor, evaluator
-- grain: one row per position per snapshot whose determination is flat
--
-- all eight factors of the latest determination carry the
-- same score, which suggests the factors were not assessed one by one. A profile of every factor
-- at the scale's maximum (7, 56 points: the published guide's own top of SES Band 3) or minimum
-- (1) cannot vary, so it says nothing.
with scores as (
    select * from position_scores
    where total_points is not null
        and knowledge = relationships and knowledge = judgement_risk
        and knowledge = independence and knowledge = strategic_change
        and knowledge = impact and knowledge = breadth and knowledge = resource_management
        and knowledge > getvariable('scoring__factor_score_minimum')
        and knowledge < getvariable('scoring__factor_score_maximum')
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'low' as severity,
        count(*) over (partition by snapshot_date, jurisdiction,
                                    coalesce(evaluator, position_id))::double as magnitude,
        format('Determination {} for {} ({}) scores every factor {}: check each factor was assessed on its own.',
               determination_id, position_title, position_id, knowledge) as message,
        json_object('determination_id', determination_id, 'score_every_factor', knowledge,
                    'evaluator', evaluator) as evidence
    from scores
)

select * from final
