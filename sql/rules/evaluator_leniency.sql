-- rule: evaluator_leniency
-- title: Evaluator scores consistently above (or below) peers for the same band
-- source: project (beyond the contract; Mann-Whitney U test against other evaluators)
-- finds: an evaluator scoring a band consistently above or below other evaluators
-- severities: low
-- when: low
-- magnitude: the Mann-Whitney z of the evaluator's totals against other evaluators' (absolute)
-- evidence: key, evaluator, tier, evaluator_median, determinations, peer_group, mann_whitney_z,
--   thresholds
-- grain: one row per evaluator per jurisdiction and band per snapshot
--
-- an evaluator whose determinations score
-- consistently above (or below) other evaluators' for positions of the same jurisdiction and
-- band. One-sided Mann-Whitney U test on the latest determinations' totals, with minimum
-- group sizes and a minimum gap between medians so small or slight effects stay quiet.
with scores as (
    select snapshot_date, jurisdiction, agency_code, tier, evaluator, total_points
    from position_scores
    where total_points is not null and evaluator is not null
),

ranked as (
    select *,
        rank() over (partition by snapshot_date, jurisdiction, tier order by total_points)
            + (count(*) over (partition by snapshot_date, jurisdiction, tier, total_points) - 1) / 2.0
            as tied_rank,
        count(*) over (partition by snapshot_date, jurisdiction, tier) as population
    from scores
),

groups as (
    select snapshot_date, jurisdiction, tier, evaluator,
           count(*) as determinations, sum(tied_rank) as rank_sum,
           any_value(population) as population, median(total_points) as evaluator_median,
           mode(agency_code) as main_agency
    from ranked
    group by all
),

peers as (
    select groups.snapshot_date, groups.jurisdiction, groups.tier, groups.evaluator,
           median(scores.total_points) as peer_median, count(*) as peer_determinations
    from groups
    join scores
        on scores.snapshot_date = groups.snapshot_date
        and scores.jurisdiction = groups.jurisdiction
        and scores.tier = groups.tier
        and scores.evaluator <> groups.evaluator
    group by all
),

tested as (
    select groups.*, peers.peer_median, peers.peer_determinations,
        (rank_sum - determinations * (determinations + 1) / 2.0
            - determinations * (population - determinations) / 2.0)
        / sqrt(determinations * (population - determinations) * (population + 1) / 12.0) as z
    from groups
    join peers using (snapshot_date, jurisdiction, tier, evaluator)
    where determinations >= getvariable('evaluator_leniency__min_determinations')
        and peer_determinations >= getvariable('evaluator_leniency__min_peer_determinations')
),

final as (
    select
        snapshot_date, jurisdiction, main_agency as agency_code, null::varchar as position_id,
        tier as classification,
        'low' as severity,
        round(abs(z), 2)::double as magnitude,
        format('Evaluator {} scores {} positions in {} {} than other evaluators: median {} points against {} ({} determinations, Mann-Whitney z = {}).',
               evaluator, tier, jurisdiction, case when z > 0 then 'higher' else 'lower' end,
               evaluator_median, peer_median, determinations, round(z, 1)) as message,
        json_object('key', evaluator, 'evaluator', evaluator, 'tier', tier,
                    'evaluator_median', evaluator_median, 'determinations', determinations,
                    'peer_group', json_object('jurisdiction', jurisdiction, 'tier', tier,
                        'determinations', peer_determinations, 'median', peer_median),
                    'mann_whitney_z', round(z, 2),
                    'thresholds', json_object('min_z', getvariable('evaluator_leniency__min_z'),
                        'min_median_gap_points', getvariable('evaluator_leniency__min_median_gap_points'))
        ) as evidence
    from tested
    where abs(z) >= getvariable('evaluator_leniency__min_z')
        and abs(evaluator_median - peer_median) >= getvariable('evaluator_leniency__min_median_gap_points')
)

select * from final
