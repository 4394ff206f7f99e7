-- rule: stretched_report
-- title: Reports across a band its agency holds
-- source: Org design practice: grade reporting distance, stretched (../shared/REFERENCES.md,
--   OrgVue); data/crosswalk.toml (ranks)
-- finds: a position reporting to a manager min_grade_distance or more of its agency's bands
--   above it: a band between them that the agency holds, with no position of it in the line
-- severities: low
-- when: low (a structure note)
-- magnitude: grade distance: the agency's bands from the position up to its manager (2 skips one)
-- evidence: grade_distance, bands_between, grade_rank, tier, reports_to_position_id,
--   reports_to_classification, reports_to_grade_rank, reports_to_tier, thresholds
-- grain: one row per position per snapshot that reports across a band its agency holds
--
-- Stretched, in OrgVue's terms, is a report more than one grade below its manager
-- (../shared/REFERENCES.md). Grades are the crosswalk's ranks (data/crosswalk.toml, as
-- hierarchy_inversion reads them), and the distance counts only the ranks the agency holds (some
-- position of the rank in the same snapshot, eliminated posts aside): a small agency without
-- Band 3s whose head's reports are Band 2s is not stretched; the APS has no SES4, so a Secretary
-- over a Deputy Secretary is one band. Classifications of one rank (WA Class 3 and Class 4, one
-- work level tier of seed 004) are one band here: the order within a tier says which is higher
-- (hierarchy_inversion), not that a band lies between. Judged from min_report_rank up (SES1):
-- below the executive service a report to an executive is often a support role, and a UK junior
-- aggregate row names the senior post its staff sit under, not their line manager.
with lines as (
    select * from int_reporting_lines
    where is_manager_found
        and position_id <> reports_to_position_id
        and grade_rank >= getvariable('stretched_report__min_report_rank')
        and manager_grade_rank > grade_rank
        and coalesce(occupancy, '') <> 'eliminated'
),

positions as (
    select * from positions
),

held_ranks as (
    -- the ranks each agency holds in each snapshot, above min_report_rank (a rank between a
    -- judged report and its manager is above the report's own)
    select distinct snapshot_date, jurisdiction, agency_code, grade_rank, tier
    from positions
    where grade_rank > getvariable('stretched_report__min_report_rank')
        and coalesce(occupancy, '') <> 'eliminated'
),

agency_ranks as (
    -- each agency's held ranks in a list, lowest first: a line picks those between its ends
    select snapshot_date, jurisdiction, agency_code,
           list(struct_pack(grade_rank, tier) order by grade_rank) as ranks
    from held_ranks
    group by all
),

between_ranks as (
    select lines.*,
           list_filter(agency_ranks.ranks, lambda held: held.grade_rank > lines.grade_rank
                                                  and held.grade_rank < lines.manager_grade_rank)
               as ranks_between
    from lines
    left join agency_ranks using (snapshot_date, jurisdiction, agency_code)
),

stretched as (
    select * exclude (ranks_between),
           coalesce(len(ranks_between), 0) + 1 as grade_distance,
           case when len(ranks_between) > 0
               then list_transform(ranks_between, lambda held: held.tier) end as bands_between
    from between_ranks
    where coalesce(len(ranks_between), 0) + 1
        >= getvariable('stretched_report__min_grade_distance')
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'low' as severity,
        format('{} ({}, {}) reports to {} ({}, {}), {} bands above it: the agency has {} positions between them.',
               position_title, position_id, classification_code, manager_title,
               reports_to_position_id, manager_classification_code, grade_distance,
               array_to_string(bands_between, ' and ')) as message,
        json_object(
            'grade_distance', grade_distance,
            'bands_between', bands_between,
            'grade_rank', grade_rank, 'tier', tier,
            'reports_to_position_id', reports_to_position_id,
            'reports_to_classification', manager_classification_code,
            'reports_to_grade_rank', manager_grade_rank,
            'reports_to_tier', manager_tier,
            'thresholds', json_object(
                'min_grade_distance', getvariable('stretched_report__min_grade_distance'),
                'min_report_rank', getvariable('stretched_report__min_report_rank')),
            'source', 'OrgVue grade reporting distance (REFERENCES.md); data/crosswalk.toml (ranks)'
        ) as evidence,
        grade_distance::double as magnitude
    from stretched
)

select * from final
