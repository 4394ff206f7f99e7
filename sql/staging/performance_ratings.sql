-- performance_ratings: one row per SES employee per performance cycle (APS SES Performance
-- Leadership Framework), cleaned, from the incoming extract file (temp view `incoming`).
with incoming as (
    select * from incoming
),

final as (
    select
        wv_text(cycle) as cycle,
        upper(wv_text(jurisdiction)) as jurisdiction,
        wv_text(agency_code) as agency_code,
        wv_text(position_id) as position_id,
        lower(regexp_replace(wv_text(outcomes_rating), '\s+', ' ', 'g')) as outcomes_rating,
        lower(regexp_replace(wv_text(behaviours_rating), '\s+', ' ', 'g')) as behaviours_rating,
        lower(regexp_replace(wv_text(overall_rating), '\s+', ' ', 'g')) as overall_rating,
        source_file,
        row_number,
        []::varchar[] as problems
    from incoming
)

select * from final
