-- rule: evaluator_leniency
-- title: Evaluator scores consistently above (or below) what the evidence bears out
-- source: project (beyond the contract); docs/scoring.md (evidence calibration); Mann-Whitney U
-- finds: jurisdiction-level: an evaluator whose scores sit consistently above or below what the
--   evidence-calibrated expectation predicts for the same positions (residuals)
-- severities: low
-- when: low
-- magnitude: points between the evaluator's median residual and the jurisdiction's
-- evidence: key, evaluator, evaluator_median_residual, determinations, peer_group, residual,
--   mann_whitney_z, thresholds
-- grain: one row per evaluator per jurisdiction and snapshot whose residuals stand out
--
-- an evaluator whose scores sit
-- consistently above (or below) what the evidence-calibrated expectation predicts for the same
-- positions. Leniency is not within-band spread: an evaluator who pushes roles up a band looks
-- low inside the new band, and one agency's evaluators are not its agency. Each determination's
-- residual is its evidence-backed factor scores less the calibrated expectations
-- (factor_evidence, docs/scoring.md): on the jurisdiction's positions with similar evidence, of
-- every tier, not on the same tier's (tier_expected_score) as resource_evidence_mismatch also
-- does, because the held tier is the evaluator's own output: one who pushes roles up a band
-- would be calibrated on the band they pushed them into. Within each jurisdiction and snapshot
-- an evaluator's
-- residuals are tested against everyone else's (one-sided Mann-Whitney U, tie-corrected: when
-- all score alike there is no spread to test and nobody is flagged). Only evaluators with
-- min_determinations, against min_peer_determinations, and a median residual min_residual_gap_points
-- from the jurisdiction's. Reported at jurisdiction level (agency_code blank) naming the evaluator.
with residuals as (
    select snapshot_date, jurisdiction, agency_code, position_id,
           sum(score - expected_score) as residual, count(*) as factors
    from factor_evidence
    where expected_score is not null
    group by all
),

scores as (
    select scores.snapshot_date, scores.jurisdiction, scores.evaluator, residuals.residual
    from position_scores as scores
    join residuals using (snapshot_date, jurisdiction, agency_code, position_id)
    where scores.evaluator is not null
),

ranked as (
    select *,
        rank() over (partition by snapshot_date, jurisdiction order by residual)
            + (count(*) over (partition by snapshot_date, jurisdiction, residual) - 1) / 2.0
            as tied_rank
    from scores
),

ties as (
    -- per jurisdiction: its size, median residual, and the tie correction sum(t^3 - t)
    select snapshot_date, jurisdiction, sum(population_part) as population,
           sum(tie_part) as tie_sum
    from (select snapshot_date, jurisdiction, residual, count(*) as population_part,
                 count(*) ^ 3 - count(*) as tie_part
          from scores group by all)
    group by all
),

medians as (
    select snapshot_date, jurisdiction, median(residual) as jurisdiction_median
    from scores
    group by all
),

groups as (
    select snapshot_date, jurisdiction, evaluator,
           count(*) as determinations, sum(tied_rank) as rank_sum,
           median(residual) as evaluator_median
    from ranked
    group by all
),

tested as (
    select groups.*, ties.population, medians.jurisdiction_median,
        ties.population - groups.determinations as peer_determinations,
        (rank_sum - determinations * (determinations + 1) / 2.0
            - determinations * (ties.population - determinations) / 2.0)
        / nullif(sqrt(determinations * (ties.population - determinations) / 12.0
            * ((ties.population + 1) - ties.tie_sum / (ties.population * (ties.population - 1.0)))), 0)
            as z
    from groups
    join ties using (snapshot_date, jurisdiction)
    join medians using (snapshot_date, jurisdiction)
    where groups.determinations >= getvariable('evaluator_leniency__min_determinations')
        and ties.population - groups.determinations >= getvariable('evaluator_leniency__min_peer_determinations')
),

final as (
    select
        snapshot_date, jurisdiction, null::varchar as agency_code, null::varchar as position_id,
        null::varchar as classification,
        'low' as severity,
        format('Evaluator {} scores {} positions {} than their evidence bears out: median residual {:+g} points against {:+g} for the jurisdiction ({} determinations, Mann-Whitney z = {}).',
               evaluator, jurisdiction, case when z > 0 then 'higher' else 'lower' end,
               evaluator_median, jurisdiction_median, determinations, round(z, 1)) as message,
        json_object('key', evaluator, 'evaluator', evaluator,
                    'evaluator_median_residual', evaluator_median, 'determinations', determinations,
                    'peer_group', json_object('jurisdiction', jurisdiction,
                        'determinations', peer_determinations, 'median', jurisdiction_median),
                    'residual', 'evidence-backed factor scores less the calibrated expectation (factor_evidence)',
                    'mann_whitney_z', round(z, 2),
                    'thresholds', json_object('min_z', getvariable('evaluator_leniency__min_z'),
                        'min_residual_gap_points', getvariable('evaluator_leniency__min_residual_gap_points'),
                        'min_determinations', getvariable('evaluator_leniency__min_determinations'))
        ) as evidence,
        -- points between the evaluator's median residual and the jurisdiction's
        abs(evaluator_median - jurisdiction_median)::double as magnitude
    from tested
    where abs(z) >= getvariable('evaluator_leniency__min_z')
        and abs(evaluator_median - jurisdiction_median) >= getvariable('evaluator_leniency__min_residual_gap_points')
)

select * from final
