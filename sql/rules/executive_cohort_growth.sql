-- rule: executive_cohort_growth
-- title: The agency's executive cohort grew by more than the configured share since its last snapshot
-- source: ../shared/REFERENCES.md (APS: agencies hold an approved SES cohort of positions and
--   monitor approved against actual); project (the share and the cohort size are its choices)
-- finds: agency-level: executive positions (crosswalk tier SES1 and up, vacant positions
--   included) grown by more than max_growth_share since the agency's previous snapshot, from a
--   cohort of at least min_cohort_positions
-- severities: medium, low
-- when: low above max_growth_share, medium from medium_growth_share
-- magnitude: growth / max_growth_share (1 at the threshold)
-- evidence: key, previous_snapshot, previous_positions, positions, added_positions, growth,
--   thresholds
-- grain: one row per agency per snapshot whose executive cohort grew past the threshold
--
-- The cohort is the agency's positions, vacant ones included: an approved cohort is of positions
-- (a new vacant position is growth; filling a vacancy is not). The agency head counts with it.
-- Growth is measured from the agency's previous snapshot, whatever the time between them (both
-- dates are in the evidence). A cohort under min_cohort_positions at the previous snapshot says
-- nothing (2 to 3 is 50%); since min_cohort_positions is at least 5 no count under 5 is ever
-- printed (docs/guarantees.md, privacy). A classification no pattern recognises at the
-- previous snapshot could hide executives (a spelling fixed since would look like growth): the
-- cohort must have grown past the threshold even counting every such position as executive.
-- Cost: one aggregate per agency and snapshot, one window.
with positions as (
    select * from positions
),

cohorts as (
    -- one row per agency per snapshot it appears in, executive positions counted
    select snapshot_date, jurisdiction, agency_code,
           any_value(agency_name) as agency_name,
           count(*) filter (where is_executive) as positions,
           count(*) filter (where classification_code is null) as unclassified_positions
    from positions
    group by snapshot_date, jurisdiction, agency_code
),

compared as (
    select cohorts.*,
           lag(snapshot_date) over agency_snapshots as previous_snapshot,
           lag(positions) over agency_snapshots as previous_positions,
           lag(unclassified_positions) over agency_snapshots as previous_unclassified
    from cohorts
    window agency_snapshots as (partition by jurisdiction, agency_code order by snapshot_date)
),

grown as (
    select compared.*,
           positions - previous_positions as added_positions,
           (positions - previous_positions) / previous_positions::double as growth
    from compared
    where previous_positions >= getvariable('executive_cohort_growth__min_cohort_positions')
),

final as (
    select
        snapshot_date, jurisdiction, agency_code,
        null::varchar as position_id,
        null::varchar as classification,
        case when growth >= getvariable('executive_cohort_growth__medium_growth_share')
            then 'medium' else 'low' end as severity,
        round(growth / getvariable('executive_cohort_growth__max_growth_share'), 4) as magnitude,
        format('{} ({})''s executive cohort (crosswalk tier SES1 and above, vacant positions included) grew from {} positions at {} to {} at {}: {:.0f}%, more than the {:.0f}% threshold; check the growth against the agency''s approved executive cohort.',
               coalesce(agency_name, agency_code), agency_code, previous_positions,
               previous_snapshot, positions, snapshot_date, 100 * growth,
               100 * getvariable('executive_cohort_growth__max_growth_share')) as message,
        json_object(
            'key', snapshot_date::varchar,
            'previous_snapshot', previous_snapshot,
            'previous_positions', previous_positions,
            'positions', positions,
            'added_positions', added_positions,
            'growth', round(growth, 4),
            'thresholds', json_object(
                'max_growth_share', getvariable('executive_cohort_growth__max_growth_share'),
                'medium_growth_share', getvariable('executive_cohort_growth__medium_growth_share'),
                'min_cohort_positions',
                getvariable('executive_cohort_growth__min_cohort_positions'))
        ) as evidence
    from grown
    where growth > getvariable('executive_cohort_growth__max_growth_share')
        -- grown even if every position unclassified at the previous snapshot was executive
        and positions > (previous_positions + previous_unclassified)
            * (1 + getvariable('executive_cohort_growth__max_growth_share'))
)

select * from final
