-- rule: hierarchy_inversion
-- title: Banded at or above the position it reports to
-- source: Org design practice: reversed and compressed grade reporting (../shared/REFERENCES.md);
--   004 (tier table, data/crosswalk.toml within_rank_order)
-- finds: banded above the position it reports to (reversed: a higher crosswalk rank, or a higher
--   place within one rank) or in the same classification (compressed)
-- severities: high, medium
-- when: reversed high, compressed medium (from compressed_min_rank)
-- magnitude: grade distance above the manager: executive tiers apart, grades apart below the SES,
--   0.5 a step within one tier, 0 compressed
-- evidence: kind, tier, grade_rank, within_rank_step, reports_to_position_id,
--   reports_to_classification, reports_to_tier, reports_to_grade_rank, compressed_from_rank
-- grain: one row per position per snapshot that reports to a position it is not below
--
-- a position banded above the position it reports to (reversed: high), or
-- in the same classification (compressed: medium). Banded above means a higher crosswalk rank,
-- or, within one rank, a higher place in data/crosswalk.toml's within_rank_order (seed 004's
-- tier table: a WA Class 4 above a Class 3, a CEO Band 2 above a Non-CEO Band 2). Compressed
-- means the same classification (OrgVue's same grade, ../shared/REFERENCES.md), from
-- compressed_min_rank up: a Class 3 reporting to a Class 4 is the designed structure.
with lines as (
    select * from int_reporting_lines
    where is_manager_found and grade_rank is not null and manager_grade_rank is not null
        and position_id <> reports_to_position_id
),

within_rank as (
    select * from ref_within_rank_order
),

ordered as (
    select
        lines.*,
        staff_order.step as within_rank_step,
        manager_order.step as manager_within_rank_step
    from lines
    left join within_rank as staff_order
        on staff_order.classification_code = lines.classification_code
    left join within_rank as manager_order
        on manager_order.classification_code = lines.manager_classification_code
        and manager_order.order_group = staff_order.order_group
),

inverted as (
    select
        *,
        case
            when grade_rank > manager_grade_rank then 'reversed'
            when grade_rank = manager_grade_rank and within_rank_step > manager_within_rank_step
                then 'reversed'
            when classification_code = manager_classification_code
                and grade_rank >= getvariable('hierarchy_inversion__compressed_min_rank') then 'compressed'
        end as kind
    from ordered
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case kind when 'reversed' then 'high' else 'medium' end as severity,
        format('{} ({}, {}) reports to {} ({}, {}): {}.',
               position_title, position_id, classification_code, manager_title,
               reports_to_position_id, manager_classification_code,
               case
                   when kind = 'compressed' then 'both hold the same classification'
                   when grade_rank > manager_grade_rank then 'it is banded above the position it reports to'
                   -- one rank, ordered within it (WA Class 4 under Class 3)
                   else format('it is the higher classification of the same crosswalk tier ({})', tier)
               end) as message,
        json_object(
            'kind', kind,
            'tier', tier, 'grade_rank', grade_rank,
            'within_rank_step', within_rank_step,
            'reports_to_position_id', reports_to_position_id,
            'reports_to_classification', manager_classification_code,
            'reports_to_tier', manager_tier, 'reports_to_grade_rank', manager_grade_rank,
            'reports_to_within_rank_step', manager_within_rank_step,
            'compressed_from_rank', getvariable('hierarchy_inversion__compressed_min_rank'),
            'source', 'OrgVue grade reporting distance (REFERENCES.md); 004 (WA tier table) for the order within a tier'
        ) as evidence,
        -- grade distance: executive tiers apart (ranks 10 apart), grades apart below the SES,
        -- half a step within one tier; 0 for the same classification
        case
            when grade_rank > manager_grade_rank and manager_grade_rank >= 10
                then (grade_rank - manager_grade_rank) / 10.0
            when grade_rank > manager_grade_rank then (grade_rank - manager_grade_rank)::double
            when kind = 'reversed' then 0.5 * (within_rank_step - manager_within_rank_step)
            else 0.0
        end as magnitude
    from inverted
    where kind is not null
)

select * from final
