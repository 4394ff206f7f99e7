-- maturity_assessments: one row per agency per framework element per year (APS SES Performance
-- Leadership Framework maturity model), cleaned, from the incoming extract file.
with incoming as (
    select * from incoming
),

texts as (
    -- every value trimmed once; the readers below read the trimmed text (the _of macros)
    select
        source_file,
        row_number,
        wv_text(year) as year,
        wv_text(jurisdiction) as jurisdiction,
        wv_text(agency_code) as agency_code,
        wv_text(element) as element,
        wv_text(maturity_level) as maturity_level,
        wv_number_of(wv_text(maturity_level)) as maturity_level_number
    from incoming
),

final as (
    select
        year,
        upper(jurisdiction) as jurisdiction,
        agency_code,
        lower(regexp_replace(element, '\s+', ' ', 'g')) as element,
        wv_whole(maturity_level_number) as maturity_level,
        source_file,
        row_number,
        list_filter([
            wv_problem('maturity_level', maturity_level, wv_whole(maturity_level_number),
                       wv_expect_integer())
        ], lambda problem: problem is not null) as problems
    from texts
)

select * from final
