-- rule: resource_evidence_mismatch
-- title: Factor score the position's own evidence does not bear out
-- source: 004 (FTE, budget and delegations as evidence of Resource management and Impact); 000, 001
--   (size is relative to the agency; each band's planning horizon); docs/scoring.md
-- finds: a resource management, breadth or independence score the position's evidence does not bear
--   out, against the calibrated expectation of the same tier's positions and every other usable
--   one (absolute amounts across tiers, and the share of the agency's workforce and budget); and
--   an independence or strategic change score at its band's level from a position whose planning
--   horizon falls well short of the band's published one
-- severities: medium, low
-- when: medium; a planning horizon held against a band's horizon assumed through the crosswalk
--   (not published for the jurisdiction) assumed_horizon_severity_steps lower (low)
-- magnitude: points between the score and the nearest calibrated expected score; for the planning
--   horizon, the years it falls short of the band's published minimum
-- evidence: key, factor, score, evidence, evidence_bin, expected_score, usual_range, peer_group,
--   thresholds, calibrated_on, share_of_agency, share_expected_score, tier_expected_score,
--   tier_usual_range, planning_horizon
-- grain: one row per scored executive position per snapshot per evidence-backed factor, and one per
--   position whose planning horizon does not bear out its scores (key planning_horizon)
--
-- a factor score that the position's own evidence (staff, budget,
-- locations, units led, planning horizon) does not bear out, judged against how evaluators in
-- the same jurisdiction scored positions with similar evidence (evidence_calibration). Size is
-- relative (seed 000, Band 1 "in smaller agencies"; seed 001, Band 3 "the whole of a smaller
-- one"): resource_management is calibrated on absolute amounts AND on the share of the agency's
-- workforce and budget, and every factor also on the amounts among positions of the same tier
-- (basis `tier`: an SES1 Director beside SES1 positions with similar evidence, not beside SES3
-- ones that lead as many units). The share of the agency stays across tiers: a small agency's
-- Band 1 who leads most of it is judged beside the positions that lead most of theirs. A score
-- is flagged only where the same tier's calibration disagrees with it and every other usable
-- calibration disagrees the same way: a tier too small to calibrate (fewer than
-- min_positions_per_bin positions) raises nothing, since across tiers a higher band's scores
-- look high and a lower band's low. The evidence says which calibrations it rests on
-- (`calibrated_on`). A score is held only against the evidence it was made on: where the
-- position's staff or budget moved more than stale_determination's max_resource_change since the
-- first snapshot on or after the decision, what the score needs is a re-evaluation, not this
-- finding (stale_determination asks for it from the snapshot before the decision, the view a
-- decision between snapshots was prepared on; this rule's view is the one after it).
--
-- The planning horizon is also held against the published one (seeds 000 and 001 give each
-- band's primary planning horizon: VPS Band 1 and 2 two to three years, Band 3 three to five;
-- APS Band 1 the current year, Band 2 four years or more; ref_planning_horizons). A position
-- whose horizon falls horizon_min_years_short or more short of its band's minimum, and scores
-- a factor of horizon_factors at or above the work value tool's worked-guide score of its band
-- (every factor 3 lands in Band 1, 5 in Band 2, 7 in Band 3; ref_guide_scores), claims a
-- horizon its evidence does not show. A missing horizon says nothing. A band whose framework
-- gives no number (APS Band 3, PESES, WA, UK) is held against the lowest minimum published for
-- its crosswalk tier, the weakest expectation, and the finding says the horizon is assumed.
with evidence as (
    select * from factor_evidence
    where tier_expected_score is not null
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
        end as share_verdict,
        case
            when tier_expected_score is null then null
            when abs(score - tier_expected_score) < getvariable('resource_evidence_mismatch__min_points_from_expected') then 0
            when score > tier_expected_high + getvariable('resource_evidence_mismatch__outside_usual_range_by') then 1
            when score < tier_expected_low - getvariable('resource_evidence_mismatch__outside_usual_range_by') then -1
            else 0
        end as tier_verdict
    from evidence
),

candidates as (
    -- the same tier's calibration disagrees, and every other usable one the same way
    select * from judged
    where tier_verdict <> 0
        and list_min([absolute_verdict, share_verdict, tier_verdict])
            = list_max([absolute_verdict, share_verdict, tier_verdict])
),

candidate_positions as (
    -- every snapshot of the candidates' positions, read once for the two uses below
    select snapshot_date, jurisdiction, agency_code, position_id, position_title,
           classification_code, staff_managed, budget_managed
    from positions
    semi join candidates using (jurisdiction, agency_code, position_id)
),

made_on as (
    -- the staff and budget the decision was made on: the position at the first snapshot on or
    -- after its decision date (position_scores keeps the decision in force at each snapshot);
    -- read for the candidates only (their history is a join of inequalities over positions)
    select decided.snapshot_date, decided.jurisdiction, decided.agency_code, decided.position_id,
           arg_min(history.staff_managed, history.snapshot_date) as staff_then,
           arg_min(history.budget_managed, history.snapshot_date) as budget_then,
           any_value(decided.staff_managed) as staff_now,
           any_value(decided.budget_managed) as budget_now
    from position_scores as decided
    semi join candidates using (snapshot_date, jurisdiction, agency_code, position_id)
    join candidate_positions as history
        on history.jurisdiction = decided.jurisdiction
        and history.agency_code = decided.agency_code
        and history.position_id = decided.position_id
        and history.snapshot_date between decided.decision_date and decided.snapshot_date
    where decided.total_points is not null
    group by all
),

moved_since as (
    -- staff or budget moved more than stale_determination's max_resource_change since the
    -- decision: the score was made on other evidence, and "re-evaluate" is that rule's finding
    select snapshot_date, jurisdiction, agency_code, position_id
    from made_on
    where abs(staff_now - staff_then) / nullif(staff_then, 0)
            > getvariable('stale_determination__max_resource_change')
        or abs(budget_now - budget_then) / nullif(budget_then, 0)
            > getvariable('stale_determination__max_resource_change')
),

mismatched as (
    select candidates.*, positions.position_title, positions.classification_code,
           list_filter(['absolute', 'share', 'tier'],
                       lambda basis, i: [absolute_verdict, share_verdict, tier_verdict][i] is not null)
               as calibrated_on
    from candidates
    join candidate_positions as positions
        using (snapshot_date, jurisdiction, agency_code, position_id)
    anti join moved_since using (snapshot_date, jurisdiction, agency_code, position_id)
),

calibrated_flags as (
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
                       round(share_expected_high, 1), share_bin_positions) end,
                   case when tier_verdict is not null then format(
                       '{} positions of the same tier ({}) with similar evidence are scored {:g} (usually {:g} to {:g}, {} positions)',
                       jurisdiction, tier, round(tier_expected_score, 1), round(tier_expected_low, 1),
                       round(tier_expected_high, 1), tier_bin_positions) end)) as message,
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
            'tier_evidence_bin', tier_evidence_bin, 'tier_expected_score', tier_expected_score,
            'tier_usual_range', [round(tier_expected_low, 2), round(tier_expected_high, 2)],
            'peer_group', json_object('jurisdiction', jurisdiction, 'evidence_bin', evidence_bin,
                                      'positions', bin_positions,
                                      'share_evidence_bin', share_evidence_bin,
                                      'share_positions', share_bin_positions,
                                      'tier', tier, 'tier_evidence_bin', tier_evidence_bin,
                                      'tier_positions', tier_bin_positions),
            'source', '000 and 001 (size is relative to the agency); docs/scoring.md (calibration)',
            'thresholds', json_object(
                'min_points_from_expected', getvariable('resource_evidence_mismatch__min_points_from_expected'),
                'outside_usual_range_by', getvariable('resource_evidence_mismatch__outside_usual_range_by')),
            'planning_horizon', null
        ) as evidence,
        -- points from the nearest calibrated expectation
        least(abs(score - expected_score), abs(score - share_expected_score),
              abs(score - tier_expected_score))::double as magnitude
    from mismatched
),

scores as (
    select * from position_scores
    where total_points is not null and planning_horizon_years is not null
),

published_horizons as (
    select * from ref_planning_horizons
),

tier_horizons as (
    -- per crosswalk tier, the lowest published minimum (the weakest expectation) and its source
    select tier, arg_min(struct_pack(min_years, max_years, jurisdiction, classification_code, seed),
                         min_years) as horizon
    from published_horizons
    group by tier
),

horizons as (
    select
        scores.*,
        published.min_years is null as is_assumed,
        coalesce(published.min_years, tier_horizons.horizon.min_years) as band_min_years,
        case when published.min_years is not null then published.max_years
             else tier_horizons.horizon.max_years end as band_max_years,
        coalesce(published.jurisdiction, tier_horizons.horizon.jurisdiction) as horizon_jurisdiction,
        coalesce(published.classification_code, tier_horizons.horizon.classification_code) as horizon_band,
        coalesce(published.seed, tier_horizons.horizon.seed) as horizon_seed,
        guide.score_every_factor as guide_score
    from scores
    left join published_horizons as published
        on published.jurisdiction = scores.jurisdiction
        and published.classification_code = scores.classification_code
    left join tier_horizons
        on tier_horizons.tier = scores.tier
    join ref_guide_scores as guide
        on guide.tier = scores.tier
),

short_horizons as (
    select *, band_min_years - planning_horizon_years as years_short
    from horizons
    where band_min_years - planning_horizon_years
        >= getvariable('resource_evidence_mismatch__horizon_min_years_short')
),

horizon_factor_scores as (
    unpivot (select snapshot_date, jurisdiction, agency_code, position_id, independence,
                    strategic_change from short_horizons)
    on independence, strategic_change
    into name factor value score
),

horizon_claims as (
    select
        short_horizons.*,
        list(factors.factor order by factors.factor) as claimed_factors,
        list(factors.score order by factors.factor) as claimed_scores,
        string_agg(replace(factors.factor, '_', ' ') || ' ' || factors.score, ' and '
                   order by factors.factor) as claimed_text
    from short_horizons
    join horizon_factor_scores as factors
        using (snapshot_date, jurisdiction, agency_code, position_id)
    -- the horizon's factors scored at or above the band's worked-guide score
    where factors.score >= short_horizons.guide_score
        and list_contains(getvariable('resource_evidence_mismatch__horizon_factors'), factors.factor)
    group by all
),

horizon_flags as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when is_assumed and getvariable('resource_evidence_mismatch__assumed_horizon_severity_steps') >= 1
            then 'low' else 'medium' end as severity,
        format('{} ({}) scores {} at its band''s level (the worked guide''s {} for {}), but its planning horizon is {:g} {}: {} {} positions plan {}{} years ahead ({}){}.',
               position_title, position_id,
               claimed_text,
               guide_score, tier, planning_horizon_years,
               case when planning_horizon_years = 1 then 'year' else 'years' end,
               horizon_jurisdiction, horizon_band, format('{:g}', band_min_years),
               case when band_max_years is null then ' or more'
                    when band_max_years = band_min_years then ''
                    else format(' to {:g}', band_max_years) end,
               format('seed {}', left(horizon_seed, 3)),
               case when is_assumed then format(
                   '; no horizon is published for {} {}: assumed through the crosswalk tier {}',
                   jurisdiction, classification_code, tier) else '' end) as message,
        json_object(
            'key', 'planning_horizon',
            'factor', claimed_factors, 'score', claimed_scores,
            'calibrated_on', ['published horizon'],
            'evidence', json_object('planning_horizon_years', planning_horizon_years),
            'evidence_bin', null, 'expected_score', guide_score, 'usual_range', null,
            'share_of_agency', null, 'share_expected_score', null,
            'tier_expected_score', null, 'tier_usual_range', null,
            'peer_group', json_object('jurisdiction', jurisdiction, 'evidence_bin', null,
                                      'positions', null, 'tier', tier),
            'planning_horizon', json_object(
                'years', planning_horizon_years,
                'band_range', [band_min_years, band_max_years],
                'years_short', years_short,
                'basis', case when is_assumed then 'assumed (crosswalk)' else 'published' end,
                'published_for', format('{} {}', horizon_jurisdiction, horizon_band),
                'source', horizon_seed),
            'source', '000 and 001 (each band''s primary planning horizon); vic_work_value_tool.toml (worked guide)',
            'thresholds', json_object(
                'horizon_min_years_short', getvariable('resource_evidence_mismatch__horizon_min_years_short'),
                'horizon_factors', getvariable('resource_evidence_mismatch__horizon_factors'),
                'guide_score', guide_score,
                'assumed_horizon_severity_steps', getvariable('resource_evidence_mismatch__assumed_horizon_severity_steps'))
        ) as evidence,
        -- years short of the band's published (or assumed) minimum
        years_short::double as magnitude
    from horizon_claims
),

final as (
    select * from calibrated_flags
    union all by name
    select * from horizon_flags
)

select * from final
