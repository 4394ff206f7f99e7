-- rule: behaviour_outcome_offset
-- title: Overall rating above what the behaviours rating allows
-- source: 002 (APS SES Performance Leadership Framework: outcomes cannot offset behavioural
--   concerns); data/frameworks/aps_ses_plf.toml
-- finds: an overall rating above the behaviours rating where the behaviours rating signals a
--   concern (below concern_below)
-- severities: high
-- when: high
-- magnitude: rating scale steps the overall rating sits above the rating it may not exceed
-- evidence: key, cycle, outcomes_rating, behaviours_rating, overall_rating, rule
-- grain: one row per rated position per cycle whose overall rating offsets a behaviour concern
--
-- an overall performance rating above the behaviours rating where the
-- behaviours rating signals a concern. The APS SES Performance Leadership Framework (seed 002)
-- holds that excellent outcomes cannot offset or minimise behavioural concerns; what counts as
-- a concern (a behaviours rating below `concern_below`) and which rating the overall may not
-- exceed (`overall_may_not_exceed`) are data/frameworks/aps_ses_plf.toml's
-- [rules.behaviour_outcome_offset], read here through ref_behaviour_offset.
with ratings as (
    select * from performance_ratings
),

scale as (
    select * from ref_rating_scale
),

offset_rule as (
    select * from ref_behaviour_offset
),

ranked as (
    select
        ratings.*,
        overall.rating_rank as overall_rank,
        behaviours.rating_rank as behaviours_rank,
        case offset_rule.overall_may_not_exceed
            when 'behaviours_rating' then behaviours.rating_rank
            when 'outcomes_rating' then outcomes.rating_rank
        end as limit_rank,
        offset_rule.overall_may_not_exceed, offset_rule.concern_below,
        behaviours.rating_rank < offset_rule.concern_below_rank as is_behaviour_concern
    from ratings
    cross join offset_rule
    join scale as overall on overall.rating = ratings.overall_rating
    join scale as behaviours on behaviours.rating = ratings.behaviours_rating
    left join scale as outcomes on outcomes.rating = ratings.outcomes_rating
),

concerns as (
    -- the ratings an outcome offsets: only their positions and agencies are looked up below
    select * from ranked
    where is_behaviour_concern and overall_rank > limit_rank
),

latest_positions as (
    select jurisdiction, agency_code, position_id,
           max(snapshot_date) as snapshot_date,
           arg_max(classification_code, snapshot_date) as classification_code
    from positions
    semi join concerns using (jurisdiction, agency_code, position_id)
    group by all
),

latest_agency_snapshots as (
    -- where a rated position is in no positions extract: the agency's latest snapshot
    select jurisdiction, agency_code, max(snapshot_date) as agency_snapshot_date
    from positions
    semi join concerns using (jurisdiction, agency_code)
    group by all
),

final as (
    select
        coalesce(latest_positions.snapshot_date, latest_agency_snapshots.agency_snapshot_date)
            as snapshot_date,
        concerns.jurisdiction, concerns.agency_code,
        concerns.position_id, latest_positions.classification_code as classification,
        'high' as severity,
        format('In cycle {}, position {}{} is rated ''{}'' overall but ''{}'' on behaviours, below ''{}'' and so a behavioural concern; outcomes (''{}'') cannot offset it by lifting the overall rating above the behaviours rating.',
               concerns.cycle, concerns.position_id,
               case when latest_positions.position_id is null
                   then ' (not in any positions extract of the agency)' else '' end,
               concerns.overall_rating, concerns.behaviours_rating, concerns.concern_below,
               concerns.outcomes_rating) as message,
        json_object('key', concerns.cycle, 'cycle', concerns.cycle,
                    'outcomes_rating', concerns.outcomes_rating,
                    'behaviours_rating', concerns.behaviours_rating,
                    'overall_rating', concerns.overall_rating,
                    'rule', format('where behaviours are rated below {}, the overall rating may not exceed the {}',
                                   concerns.concern_below, replace(concerns.overall_may_not_exceed, '_', ' ')),
                    'concern_below', concerns.concern_below,
                    'source', '002 (APS SES Performance Leadership Framework)') as evidence,
        -- scale steps the overall rating sits above the rating it may not exceed
        (concerns.overall_rank - concerns.limit_rank)::double as magnitude
    from concerns
    left join latest_positions
        using (jurisdiction, agency_code, position_id)
    left join latest_agency_snapshots
        using (jurisdiction, agency_code)
)

select * from final
