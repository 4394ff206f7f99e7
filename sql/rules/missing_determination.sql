-- missing_determination: an executive position with no determination decided on or before the
-- snapshot. Agency heads are appointed, not classified, except where the jurisdiction classifies
-- them (data/rules.toml heads_classified_in).
with scores as (
    select * from position_scores
    where determination_id is null
        and (tier <> 'HEAD'
             or list_contains(getvariable('missing_determination__heads_classified_in'), jurisdiction))
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when occupancy = 'vacant' then getvariable('missing_determination__vacant_severity')
            else 'medium' end as severity,
        format('{} ({}) is an executive position held at {} with no classification determination on record{}.',
               position_title, position_id, classification_code,
               case when occupancy = 'vacant' then ' (the position is vacant)' else '' end) as message,
        json_object('tier', tier, 'occupancy', occupancy) as evidence
    from scores
)

select * from final
