-- maturity_assessments: one row per agency per framework element per year (APS SES Performance
-- Leadership Framework maturity model), cleaned, from the incoming extract file.
with incoming as (
    select * from incoming
),

final as (
    select
        wv_text(year) as year,
        upper(wv_text(jurisdiction)) as jurisdiction,
        wv_text(agency_code) as agency_code,
        lower(regexp_replace(wv_text(element), '\s+', ' ', 'g')) as element,
        wv_integer(maturity_level) as maturity_level,
        source_file,
        row_number,
        list_filter([
            wv_problem('maturity_level', maturity_level, wv_integer(maturity_level), wv_expect_integer())
        ], lambda problem: problem is not null) as problems
    from incoming
)

select * from final
