-- rule: span_of_one
-- title: An executive position with one direct report
-- source: Org design practice: span of control, assistants left out of spans
--   (../shared/REFERENCES.md, OrgVue; data/structure.toml); 000 (specialist roles may manage)
-- finds: an executive position whose only direct report is one position, a one-over-one layer:
--   assistants left out (data/structure.toml), vacant and acting reports counted, eliminated
--   posts not, a row standing for several posts counted as its posts; top posts, exempt streams
--   and agencies whose extract holds no one below the executive service are not judged
-- severities: low
-- when: low (a structure note)
-- magnitude: the executive's crosswalk tier, rank / 10 (SES1 1, SES2 2, SES3 3, SES4 4, agency
--   head 5): a one-over-one costs more the higher it sits
-- evidence: span, report_position_id, report_title, report_classification, report_occupancy,
--   report_posts, assistants_left_out, grade_rank, report_grade_rank, thresholds
-- grain: one row per executive position per snapshot whose direct reports are one post
--
-- A manager with one direct report adds a layer that manages no one but that report (OrgVue
-- reports span 1 as its own category; ../shared/REFERENCES.md). Counted: the positions that
-- name the executive in reports_to_position_id in the same agency and snapshot, less
-- assistants (structure.toml's assistant_title_pattern), eliminated posts and the position
-- itself; vacant and acting posts count where count_vacant_reports (the designed structure's
-- span). A UK junior aggregate row counts as its FTE rounded up (one row of 12 FTE is twelve
-- posts). Not judged, to stay conservative: the agency's top post (no reports_to; under a board
-- chair its one report is the chief executive), the streams of exempt_streams (seed 000: a
-- Professional/Specialist role's contribution is its advice; it "may have" managerial
-- responsibilities), and an agency whose extract holds only executive positions (its
-- executives' other reports may be missing, not absent).
-- (positions is read where it is used, not materialized: a copy of every position cost more
-- than the rest of the rule)
with positions as not materialized (
    select * from positions
),

agencies_with_staff as (
    -- agencies whose extract reaches below the executive service: spans can be read there
    select snapshot_date, jurisdiction, agency_code
    from positions
    group by all
    having count(*) filter (where not is_executive) > 0
),

managers as (
    -- the executive positions that are judged
    select
        positions.snapshot_date, positions.jurisdiction, positions.agency_code,
        positions.position_id, positions.position_title, positions.classification_code,
        positions.grade_rank
    from positions
    semi join agencies_with_staff
        on agencies_with_staff.snapshot_date = positions.snapshot_date
        and agencies_with_staff.jurisdiction = positions.jurisdiction
        and agencies_with_staff.agency_code = positions.agency_code
    where positions.is_executive
        and coalesce(positions.occupancy, '') <> 'eliminated'
        and (getvariable('span_of_one__judge_top_posts')
             or positions.reports_to_position_id is not null)
        and not list_contains(getvariable('span_of_one__exempt_streams'),
                              coalesce(positions.stream_code, ''))
),

counted_reports as (
    -- the reports of those executives (a semi join: no other manager's span is counted)
    select
        reports.snapshot_date, reports.jurisdiction, reports.agency_code,
        reports.reports_to_position_id as manager_id, reports.position_id,
        reports.position_title, reports.classification_code, reports.grade_rank,
        reports.occupancy,
        -- the posts a row stands for: one, or a junior aggregate's FTE rounded up
        greatest(1, ceil(coalesce(reports.aggregate_fte, 1)))::integer as posts,
        regexp_matches(lower(coalesce(reports.position_title, '')),
                       getvariable('structure__assistant_title_pattern')) as is_assistant
    from positions as reports
    semi join managers
        on managers.snapshot_date = reports.snapshot_date
        and managers.jurisdiction = reports.jurisdiction
        and managers.agency_code = reports.agency_code
        and managers.position_id = reports.reports_to_position_id
    where reports.position_id <> reports.reports_to_position_id
        and coalesce(reports.occupancy, '') <> 'eliminated'
        and (getvariable('span_of_one__count_vacant_reports')
             or coalesce(reports.occupancy, '') not in ('vacant', 'acting'))
),

spans as (
    select
        snapshot_date, jurisdiction, agency_code, manager_id as position_id,
        sum(posts) filter (where not is_assistant) as span,
        count(*) filter (where is_assistant) as assistants_left_out,
        -- the one report, where there is one
        any_value(position_id) filter (where not is_assistant) as report_position_id,
        any_value(position_title) filter (where not is_assistant) as report_title,
        any_value(classification_code) filter (where not is_assistant) as report_classification,
        any_value(grade_rank) filter (where not is_assistant) as report_grade_rank,
        any_value(occupancy) filter (where not is_assistant) as report_occupancy,
        any_value(posts) filter (where not is_assistant) as report_posts
    from counted_reports
    group by all
),

judged as (
    select managers.*, spans.* exclude (snapshot_date, jurisdiction, agency_code, position_id)
    from managers
    join spans using (snapshot_date, jurisdiction, agency_code, position_id)
    where spans.span = 1
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'low' as severity,
        format('{} ({}, {}) has one direct report, {} ({}, {}{}): a layer that manages one position.',
               position_title, position_id, classification_code, report_title,
               report_position_id, coalesce(report_classification, 'grade not recognised'),
               case when report_occupancy in ('vacant', 'acting')
                   then format(', {}', report_occupancy) else '' end) as message,
        json_object(
            'span', span,
            'report_position_id', report_position_id,
            'report_title', report_title,
            'report_classification', report_classification,
            'report_occupancy', report_occupancy,
            'report_posts', report_posts,
            'assistants_left_out', assistants_left_out,
            'grade_rank', grade_rank,
            'report_grade_rank', report_grade_rank,
            'thresholds', json_object(
                'count_vacant_reports', getvariable('span_of_one__count_vacant_reports'),
                'judge_top_posts', getvariable('span_of_one__judge_top_posts'),
                'exempt_streams', getvariable('span_of_one__exempt_streams'),
                'assistant_title_pattern', getvariable('structure__assistant_title_pattern')),
            'source', 'OrgVue span of control, assistants left out (REFERENCES.md); data/structure.toml'
        ) as evidence,
        -- the executive's crosswalk tier: SES1 1 ... agency head 5
        grade_rank / 10.0 as magnitude
    from judged
)

select * from final
