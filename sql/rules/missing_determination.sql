-- rule: missing_determination
-- title: Executive position with no determination
-- source: 001, 004 (every executive position is classified by a work value evaluation)
-- finds: an executive position with no determination by the snapshot (agency heads only where
--   heads_classified_in)
-- severities: medium, low
-- when: medium; a vacant position vacant_severity
-- magnitude: the position's crosswalk grade rank: the more senior, the more it matters
-- evidence: tier, occupancy, later_determination_id, thresholds
-- grain: one row per executive position per snapshot without a determination
--
-- an executive position with no determination decided on or before the
-- snapshot. Agency heads are appointed, not classified, except where the jurisdiction classifies
-- them (data/rules.toml heads_classified_in). A determination dated after the snapshot is named,
-- since it explains the gap without closing it. Jurisdictions that publish no determinations
-- (data/jurisdictions.toml determinations_expected = false, e.g. the UK organograms) are skipped.
with scores as (
    select * from position_scores
    where determination_id is null
        and (tier <> 'HEAD'
             or list_contains(getvariable('missing_determination__heads_classified_in'), jurisdiction))
        and jurisdiction in (select jurisdiction from ref_jurisdictions where determinations_expected)
),

crosswalk as (
    select classification_code as crosswalk_code, rank as grade_rank from ref_crosswalk
),

determinations as (
    select jurisdiction, agency_code, position_id, decision_date, determination_id
    from determinations
),

later as (
    -- the first determination decided after the snapshot, if any
    select scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
           min(determinations.decision_date) as later_decision_date,
           arg_min(determinations.determination_id,  -- of two on one day, the first by id
                   (determinations.decision_date, determinations.determination_id))
               as later_determination_id
    from scores
    join determinations
        on determinations.jurisdiction = scores.jurisdiction
        and determinations.agency_code = scores.agency_code
        and determinations.position_id = scores.position_id
        and determinations.decision_date > scores.snapshot_date
    group by all
),

final as (
    select
        scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
        scores.classification_code as classification,
        case when scores.occupancy = 'vacant' then getvariable('missing_determination__vacant_severity')
            else 'medium' end as severity,
        crosswalk.grade_rank::double as magnitude,
        format('{} ({}) is an executive position held at {} with no classification determination decided by {}{}{}.',
               scores.position_title, scores.position_id, scores.classification_code,
               scores.snapshot_date,
               case when scores.occupancy = 'vacant' then ' (the position is vacant)' else '' end,
               case when later.later_determination_id is not null
                   then format('; determination {} is dated {}, after the snapshot',
                               later.later_determination_id, later.later_decision_date)
                   else '' end) as message,
        json_object('tier', scores.tier, 'occupancy', scores.occupancy,
                    'later_determination_id', later.later_determination_id,
                    'later_decision_date', later.later_decision_date,
                    'thresholds', json_object(
                        'heads_classified_in', getvariable('missing_determination__heads_classified_in'),
                        'vacant_severity', getvariable('missing_determination__vacant_severity'))
        ) as evidence
    from scores
    left join later
        using (snapshot_date, jurisdiction, agency_code, position_id)
    left join crosswalk
        on crosswalk.crosswalk_code = scores.classification_code
)

select * from final
