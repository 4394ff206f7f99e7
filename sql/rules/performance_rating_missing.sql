-- rule: performance_rating_missing
-- title: Occupied SES positions of the agency have no performance rating in a cycle
-- source: 002 (APS SES Performance Leadership Framework: mandatory for all APS agencies; an SES
--   leader's behaviours and outcomes must both be assessed)
-- finds: agency-level: occupied SES positions at the agency's snapshot of a cycle with no rating
--   in that cycle; as a note, an agency with no rating at all in a cycle most of its
--   jurisdiction's SES agencies have ratings for (min_rated_agency_share)
-- severities: medium, low
-- when: medium from medium_unrated_share of the positions unrated, low below it; an agency with
--   no rating at all in the cycle low
-- magnitude: share of the agency's occupied SES positions with no rating in the cycle
-- evidence: key, cycle, occupied_ses_positions, rated_positions, unrated_positions,
--   unrated_share, peer_group, thresholds
-- grain: one row per agency per cycle with occupied SES positions left unrated
--
-- A cycle is judged only for a jurisdiction the warehouse holds ratings of in that cycle, and
-- only for the framework's jurisdictions (ref_plf_elements): no performance file, a header-only
-- file, or one without the jurisdiction or the cycle is no evidence that an agency failed. The
-- cycle `2023-24` ends on cycle_ends_on of 2024 (`2024` alone: of 2024) and is read against the
-- agency's latest snapshot in the year it ends. Positions: executive below the agency head
-- (not the HEAD tier, and reporting to someone), occupied (a vacant position has nobody to rate;
-- an acting occupant is rated in their own position). An agency with none of its positions rated
-- is judged only where min_rated_agency_share of the jurisdiction's agencies with such positions
-- have ratings in the cycle; a low note, as its return may be missing from the extract. A
-- position with a rating row the load quarantined counts as rated (raw_performance). Counts of
-- 1 to 4 are written "fewer than 5" and left out of the evidence, with the share derived from
-- them (docs/guarantees.md, privacy); the magnitude, a number to rank by, is the share.
-- Cost: per-agency aggregates.
with ratings as (
    select * from performance_ratings
),

positions as not materialized (
    -- read where it is used: a copy of every position costs more than the rest of the rule
    select * from positions
),

framework_jurisdictions as (
    select distinct jurisdiction from ref_plf_elements
),

cycles as (
    -- the cycles the warehouse holds ratings of each jurisdiction for, and the year each ends
    select jurisdiction, cycle,
           strptime(format('{}-{}', case
               when regexp_full_match(cycle, '\d{4}') then cycle::integer
               when regexp_full_match(cycle, '\d{4}\s*[-/]\s*\d{2}(\d{2})?')
                   then left(cycle, 4)::integer + 1 end,
               getvariable('performance_rating_missing__cycle_ends_on')), '%Y-%m-%d')::date
               as cycle_end
    from ratings
    where jurisdiction in (select jurisdiction from framework_jurisdictions)
    group by jurisdiction, cycle
),

cycle_snapshots as (
    -- each agency's latest snapshot in the year its cycle ends
    select cycles.jurisdiction, cycles.cycle, positions.agency_code,
           max(positions.snapshot_date) as snapshot_date
    from cycles
    join positions
        on positions.jurisdiction = cycles.jurisdiction
        and positions.snapshot_date <= cycles.cycle_end
        and positions.snapshot_date > cycles.cycle_end - interval 1 year
    group by all
),

ses_positions as (
    -- occupied SES positions below the agency head at the cycle's snapshot
    select cycle_snapshots.cycle, positions.jurisdiction, positions.agency_code,
           positions.snapshot_date, positions.agency_name, positions.position_id
    from cycle_snapshots
    join positions using (jurisdiction, agency_code, snapshot_date)
    where positions.is_executive and positions.tier <> 'HEAD'
        and positions.reports_to_position_id is not null
        and positions.occupancy = 'occupied'
),

rated as (
    -- every rating row read, a quarantined one too: a rating the load could not use is there
    select distinct upper(trim(jurisdiction)) as jurisdiction, trim(agency_code) as agency_code,
           trim(position_id) as position_id, trim(cycle) as cycle
    from raw_performance
),

counted as (
    select ses_positions.jurisdiction, ses_positions.agency_code, ses_positions.cycle,
           any_value(ses_positions.snapshot_date) as snapshot_date,
           any_value(ses_positions.agency_name) as agency_name,
           count(*) as occupied_ses_positions,
           count(rated.position_id) as rated_positions,
           count(*) - count(rated.position_id) as unrated_positions
    from ses_positions
    left join rated using (jurisdiction, agency_code, position_id, cycle)
    group by all
),

peers as (
    select counted.*,
           count(*) over jurisdiction_cycle as agencies_with_ses,
           count(*) filter (where rated_positions > 0) over jurisdiction_cycle as rated_agencies
    from counted
    window jurisdiction_cycle as (partition by jurisdiction, cycle)
),

judged as (
    select peers.*,
           unrated_positions / occupied_ses_positions::double as unrated_share,
           -- a count as the message may print it: 1 to 4 "fewer than 5"
           case when unrated_positions < 5 then 'fewer than 5'
               else unrated_positions::varchar end as unrated_words,
           case when occupied_ses_positions < 5 then 'fewer than 5'
               else occupied_ses_positions::varchar end as occupied_words
    from peers
    where unrated_positions > 0
        and (rated_positions > 0 or rated_agencies >= agencies_with_ses
             * getvariable('performance_rating_missing__min_rated_agency_share'))
),

final as (
    select
        snapshot_date, jurisdiction, agency_code,
        null::varchar as position_id,
        null::varchar as classification,
        case when rated_positions = 0 then 'low'
            when unrated_share >= getvariable('performance_rating_missing__medium_unrated_share')
                then 'medium'
            else 'low' end as severity,
        unrated_share as magnitude,
        case when rated_positions = 0
            then format('The warehouse holds {} ratings of {} of the {} {} agencies with occupied SES positions, but none of {} ({}), whose {} occupied SES positions at {} are all unrated: check whether they were assessed (mandatory, seed 002) or its return is missing from the extract.',
                        cycle, rated_agencies, agencies_with_ses, jurisdiction,
                        coalesce(agency_name, agency_code), agency_code, occupied_words,
                        snapshot_date)
            else format('In cycle {}, {} of the {} occupied SES positions of {} ({}) at {} have no performance rating; every SES leader''s behaviours and outcomes are assessed under the framework (seed 002).',
                        cycle, unrated_words, occupied_words, coalesce(agency_name, agency_code),
                        agency_code, snapshot_date)
        end as message,
        json_object(
            'key', cycle,
            'cycle', cycle,
            'occupied_ses_positions',
            case when occupied_ses_positions >= 5 then occupied_ses_positions end,
            -- the rated count would give the unrated one away: shown with it only
            'rated_positions', case when unrated_positions >= 5
                and (rated_positions = 0 or rated_positions >= 5) then rated_positions end,
            'unrated_positions', case when unrated_positions >= 5 then unrated_positions end,
            'unrated_share', case when unrated_positions >= 5 then round(unrated_share, 4) end,
            'peer_group', json_object(
                'jurisdiction', jurisdiction,
                'agencies_with_ses', agencies_with_ses,
                'rated_agencies', rated_agencies),
            'thresholds', json_object(
                'medium_unrated_share',
                getvariable('performance_rating_missing__medium_unrated_share'),
                'min_rated_agency_share',
                getvariable('performance_rating_missing__min_rated_agency_share'),
                'cycle_ends_on', getvariable('performance_rating_missing__cycle_ends_on')),
            'source', '002 (APS SES Performance Leadership Framework)'
        ) as evidence
    from judged
)

select * from final
