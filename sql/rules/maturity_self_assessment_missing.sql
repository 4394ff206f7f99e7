-- rule: maturity_self_assessment_missing
-- title: The agency's maturity self-assessment for a year lacks some of the framework's elements
-- source: 002 (APS SES Performance Leadership Framework: mandatory for all APS agencies, a
--   self-assessment against its maturity model before the 2024 Agency Survey); data/frameworks/
--   aps_ses_plf.toml (the five elements)
-- finds: agency-level: a year's maturity self-assessment that lacks some of the framework's
--   elements; as a note, an agency with none for a year most of its jurisdiction's SES agencies
--   assessed (min_assessed_agency_share)
-- severities: medium, low
-- when: medium where some elements are assessed and others not; low where none are
-- magnitude: count of the framework's elements the year's self-assessment lacks
-- evidence: key, year, elements_assessed, elements_missing, elements_required, peer_group,
--   thresholds
-- grain: one row per agency per year whose self-assessment is incomplete or absent
--
-- Only the framework's jurisdictions (ref_plf_elements), and only a year the warehouse holds
-- assessments of that jurisdiction for, from first_required_year on: an extract without a
-- maturity file, a header-only file, or one without the jurisdiction or the year is no evidence
-- that an agency failed. A year is `2024`, or `2023-24` read as its end year. Agencies with no
-- row for a held year are judged only when they held SES positions (not the agency head) at a
-- snapshot of that calendar year and at least min_assessed_agency_share of such agencies sent
-- theirs; then a low note, as the return may be missing from the extract. An agency-year with a
-- row the load quarantined (raw_maturity less the staged rows) is not judged: the element it
-- could not read may be the one missing. The finding's
-- snapshot is the agency's latest in the year, else its latest (an agency in no positions
-- extract: its jurisdiction's latest in the year). Cost: per-agency aggregates.
with assessments as (
    select * from maturity_assessments
),

elements as (
    select * from ref_plf_elements
),

positions as (
    select * from positions
),

survey_years as (
    -- each year as written, read as the survey year: `2024`, or `2023-24` as 2024
    select year,
           case when regexp_full_match(year, '\d{4}') then year::integer
                when regexp_full_match(year, '\d{4}\s*[-/]\s*\d{2}(\d{2})?')
                    then left(year, 4)::integer + 1
           end as survey_year
    from (select year from assessments union select trim(year) from raw_maturity)
),

dated as (
    select assessments.jurisdiction, assessments.agency_code, assessments.year,
           assessments.element, survey_years.survey_year
    from assessments
    join survey_years using (year)
    where assessments.jurisdiction in (select jurisdiction from elements)
),

unreadable as (
    -- agency-years with a row the load could not use (in quarantine): an element it assessed
    -- may be among them, so the year is not judged
    select distinct upper(trim(raw.jurisdiction)) as jurisdiction,
           trim(raw.agency_code) as agency_code, survey_years.survey_year
    from raw_maturity as raw
    anti join assessments using (source_file, row_number)
    join survey_years on survey_years.year = trim(raw.year)
),

held_years as (
    -- the years the warehouse holds assessments of each jurisdiction for
    select jurisdiction, survey_year, any_value(year) as year
    from dated
    where survey_year >= getvariable('maturity_self_assessment_missing__first_required_year')
    group by jurisdiction, survey_year
),

assessed as (
    -- one row per agency per held year, with the framework's elements it assessed
    select dated.jurisdiction, dated.agency_code, dated.survey_year,
           list(distinct dated.element order by dated.element) as elements_assessed
    from dated
    semi join held_years using (jurisdiction, survey_year)
    group by all
),

agency_snapshots as (
    select jurisdiction, agency_code, year(snapshot_date) as survey_year,
           max(snapshot_date) as snapshot_date,
           bool_or(is_executive and tier <> 'HEAD' and reports_to_position_id is not null)
               as has_ses
    from positions
    group by all
),

agencies as (
    select jurisdiction, agency_code, any_value(agency_name) as agency_name,
           max(snapshot_date) as latest_snapshot
    from positions
    group by all
),

jurisdiction_snapshots as (
    -- for an agency in no positions extract: its jurisdiction's latest snapshot of the year
    select jurisdiction, survey_year, max(snapshot_date) as jurisdiction_snapshot
    from agency_snapshots
    group by all
),

ses_agencies as (
    -- per held year, the jurisdiction's agencies with SES positions that year, and how many
    -- of them sent an assessment
    select held_years.jurisdiction, held_years.survey_year, agency_snapshots.agency_code,
           assessed.agency_code is not null as sent,
           count(*) over year_agencies as agencies_with_ses,
           count(assessed.agency_code) over year_agencies as assessed_agencies
    from held_years
    join agency_snapshots
        on agency_snapshots.jurisdiction = held_years.jurisdiction
        and agency_snapshots.survey_year = held_years.survey_year
        and agency_snapshots.has_ses
    left join assessed
        on assessed.jurisdiction = held_years.jurisdiction
        and assessed.survey_year = held_years.survey_year
        and assessed.agency_code = agency_snapshots.agency_code
    window year_agencies as (partition by held_years.jurisdiction, held_years.survey_year)
),

candidates as (
    -- agencies that assessed some elements, and agencies that sent none while most did
    select jurisdiction, agency_code, survey_year, elements_assessed from assessed
    union all
    select jurisdiction, agency_code, survey_year, []::varchar[] as elements_assessed
    from ses_agencies
    where not sent and assessed_agencies >= agencies_with_ses
        * getvariable('maturity_self_assessment_missing__min_assessed_agency_share')
),

judged as (
    select * from candidates
    anti join unreadable using (jurisdiction, agency_code, survey_year)
),

measured as (
    select candidates.jurisdiction, candidates.agency_code, candidates.survey_year,
           any_value(candidates.elements_assessed) as elements_assessed,
           list(elements.element_name order by elements.element_order)
               filter (where not list_contains(candidates.elements_assessed, elements.element))
               as elements_missing,
           count(*) as elements_required
    from judged as candidates
    join elements using (jurisdiction)
    group by all
),

final as (
    select
        coalesce(agency_snapshots.snapshot_date, agencies.latest_snapshot,
                 jurisdiction_snapshots.jurisdiction_snapshot) as snapshot_date,
        measured.jurisdiction, measured.agency_code,
        null::varchar as position_id,
        null::varchar as classification,
        case when len(measured.elements_assessed) = 0 then 'low' else 'medium' end as severity,
        len(measured.elements_missing)::double as magnitude,
        case when len(measured.elements_assessed) = 0
            then format('The warehouse holds {} maturity self-assessments of {} of the {} {} agencies with SES positions that year, but none of {} ({}): check whether it self-assessed against the framework''s maturity model (mandatory, seed 002) or its return is missing from the extract.',
                        held_years.year, peers.assessed_agencies, peers.agencies_with_ses,
                        measured.jurisdiction, coalesce(agencies.agency_name, measured.agency_code),
                        measured.agency_code)
            else format('{} ({})''s {} maturity self-assessment covers {} of the framework''s {} elements; it lacks {}. Every {} agency self-assesses against the whole maturity model (seed 002).',
                        coalesce(agencies.agency_name, measured.agency_code), measured.agency_code,
                        held_years.year, len(measured.elements_assessed),
                        measured.elements_required,
                        array_to_string(list_transform(measured.elements_missing,
                                                       lambda name: '''' || name || ''''), ', '),
                        measured.jurisdiction)
        end as message,
        json_object(
            'key', held_years.year,
            'year', held_years.year,
            'elements_assessed', measured.elements_assessed,
            'elements_missing', measured.elements_missing,
            'elements_required', measured.elements_required,
            'peer_group', json_object(
                'jurisdiction', measured.jurisdiction,
                'agencies_with_ses', peers.agencies_with_ses,
                'assessed_agencies', peers.assessed_agencies),
            'thresholds', json_object(
                'first_required_year',
                getvariable('maturity_self_assessment_missing__first_required_year'),
                'min_assessed_agency_share',
                getvariable('maturity_self_assessment_missing__min_assessed_agency_share')),
            'source', '002 (APS SES Performance Leadership Framework)'
        ) as evidence
    from measured
    join held_years using (jurisdiction, survey_year)
    left join (select distinct jurisdiction, survey_year, agencies_with_ses, assessed_agencies
               from ses_agencies) as peers
        using (jurisdiction, survey_year)
    left join agency_snapshots using (jurisdiction, agency_code, survey_year)
    left join agencies using (jurisdiction, agency_code)
    left join jurisdiction_snapshots using (jurisdiction, survey_year)
    where len(measured.elements_missing) > 0
)

select * from final
