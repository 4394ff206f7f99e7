-- rule: title_band_mismatch
-- title: The title is the one the framework gives another band
-- source: 001 (VPS executive work value standards) and ../shared/REFERENCES.md (typical VPS
--   titles); APS practice (data/frameworks/aps_ses_wls.toml typical_titles)
-- finds: an executive position whose title's leading role words are the typical title of another
--   band of its jurisdiction's framework (a Deputy Secretary held at SES Band 1)
-- severities: medium, low
-- when: medium from medium_from_steps bands away, low one band away
-- magnitude: bands between the held band and the band the title is typical of
-- evidence: title_role, held_band, title_band, band_steps, thresholds
-- grain: one row per executive position per snapshot whose title belongs to another band
--
-- The title matches a typical title when it starts with it as whole words ("Deputy Secretary,
-- Policy" is a Deputy Secretary); the longest typical title that matches wins, so "Executive
-- Director" is not read as "Director". A title typical of no band ("Chief Operating Officer")
-- says nothing, and so does a position held at a band the framework gives no typical title.
-- (positions is read where it is used, not materialized: it is read twice, and a copy of every
-- executive position costs more than filtering positions again)
with positions as not materialized (
    select * from positions where is_executive
),

titles as (
    select * from ref_typical_titles
),

crosswalk as (
    select classification_code as crosswalk_code, rank as grade_rank from ref_crosswalk
),

title_roles as (
    -- the longest typical title of the jurisdiction that each executive title starts with,
    -- matched once per distinct title (the pattern is built per row, so per row it is costly)
    select spelled.jurisdiction, spelled.title_key,
           titles.title as title_role, titles.classification_code as title_band
    from (select distinct jurisdiction, lower(position_title) as title_key from positions)
        as spelled
    join titles
        on titles.jurisdiction = spelled.jurisdiction
        and regexp_matches(spelled.title_key, '^' || titles.title || '\b')
    qualify row_number() over (
        partition by spelled.jurisdiction, spelled.title_key
        order by length(titles.title) desc) = 1
),

matched as (
    select positions.snapshot_date, positions.jurisdiction, positions.agency_code,
           positions.position_id, positions.position_title, positions.classification_code,
           title_roles.title_role, title_roles.title_band
    from positions
    join title_roles
        on title_roles.jurisdiction = positions.jurisdiction
        and title_roles.title_key = lower(positions.position_title)
),

measured as (
    select matched.*,
           abs(held.grade_rank - typical.grade_rank) // 10 as band_steps  -- executive tiers 10 apart
    from matched
    join crosswalk as held on held.crosswalk_code = matched.classification_code
    join crosswalk as typical on typical.crosswalk_code = matched.title_band
    where matched.classification_code <> matched.title_band
        and matched.classification_code in (
            select classification_code from titles where titles.jurisdiction = matched.jurisdiction)
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when band_steps >= getvariable('title_band_mismatch__medium_from_steps') then 'medium'
            else 'low' end as severity,
        band_steps::double as magnitude,
        format('{} ({}) is held at {}, but ''{}'' is the {} framework''s typical title of {}, {} band{} away.',
               position_title, position_id, classification_code, title_role, jurisdiction,
               title_band, band_steps, case when band_steps = 1 then '' else 's' end) as message,
        json_object(
            'title_role', title_role, 'held_band', classification_code,
            'title_band', title_band, 'band_steps', band_steps,
            'thresholds', json_object(
                'medium_from_steps', getvariable('title_band_mismatch__medium_from_steps'))
        ) as evidence
    from measured
)

select * from final
