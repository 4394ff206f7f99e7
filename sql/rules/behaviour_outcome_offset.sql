-- behaviour_outcome_offset: an overall performance rating above the behaviours rating; the APS
-- SES Performance Leadership Framework holds that outcomes cannot offset behaviour.
with ratings as (
    select * from performance_ratings
),

scale as (
    select * from ref_rating_scale
),

latest_positions as (
    select jurisdiction, agency_code, position_id,
           max(snapshot_date) as snapshot_date,
           arg_max(classification_code, snapshot_date) as classification_code
    from positions
    group by all
),

latest_agency_snapshots as (
    -- where a rated position is in no positions extract: the agency's latest snapshot
    select jurisdiction, agency_code, max(snapshot_date) as agency_snapshot_date
    from positions
    group by all
),

final as (
    select
        coalesce(latest_positions.snapshot_date, latest_agency_snapshots.agency_snapshot_date)
            as snapshot_date,
        ratings.jurisdiction, ratings.agency_code,
        ratings.position_id, latest_positions.classification_code as classification,
        'high' as severity,
        format('In cycle {}, position {}{} is rated ''{}'' overall but ''{}'' on behaviours; outcomes (''{}'') cannot lift the overall rating above the behaviours rating.',
               ratings.cycle, ratings.position_id,
               case when latest_positions.position_id is null
                   then ' (not in any positions extract of the agency)' else '' end,
               ratings.overall_rating, ratings.behaviours_rating, ratings.outcomes_rating) as message,
        json_object('key', ratings.cycle, 'cycle', ratings.cycle,
                    'outcomes_rating', ratings.outcomes_rating,
                    'behaviours_rating', ratings.behaviours_rating,
                    'overall_rating', ratings.overall_rating,
                    'rule', 'overall rating may not exceed the behaviours rating') as evidence
    from ratings
    join scale as overall on overall.rating = ratings.overall_rating
    join scale as behaviours on behaviours.rating = ratings.behaviours_rating
    left join latest_positions
        using (jurisdiction, agency_code, position_id)
    left join latest_agency_snapshots
        using (jurisdiction, agency_code)
    where overall.rating_rank > behaviours.rating_rank
)

select * from final
