-- classification_spellings: one row per distinct (jurisdiction, spelling key) of the incoming
-- extract, with the code the first matching pattern of data/classifications.toml gives
-- (null where none matches). Reads the temp view incoming_spellings(jurisdiction, spelling).
with seen as (
    select distinct
        upper(wv_text(jurisdiction)) as jurisdiction,
        wv_key(spelling) as spelling_key
    from incoming_spellings
    where wv_key(spelling) is not null
        and wv_text(jurisdiction) is not null  -- a row without one is quarantined, not mapped
),

matched as (
    select
        seen.jurisdiction,
        seen.spelling_key,
        patterns.priority,
        replace(patterns.code, '{1}',
                coalesce(regexp_extract(seen.spelling_key, patterns.pattern, 1), '')) as classification_code
    from seen
    join ref_classification_patterns as patterns
        on patterns.jurisdiction = seen.jurisdiction
        and regexp_full_match(seen.spelling_key, patterns.pattern)
),

first_match as (
    select jurisdiction, spelling_key, arg_min(classification_code, priority) as classification_code
    from matched
    group by all
),

final as (
    select seen.jurisdiction, seen.spelling_key, first_match.classification_code
    from seen
    left join first_match using (jurisdiction, spelling_key)
)

select * from final
