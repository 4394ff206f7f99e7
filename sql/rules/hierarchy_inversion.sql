-- hierarchy_inversion: a position banded above the position it reports to (reversed: high), or
-- in the same executive band (compressed: medium), compared by the crosswalk's grade rank.
with lines as (
    select * from int_reporting_lines
    where is_manager_found and grade_rank is not null and manager_grade_rank is not null
        and position_id <> reports_to_position_id
),

inverted as (
    select
        *,
        case
            when grade_rank > manager_grade_rank then 'reversed'
            when grade_rank = manager_grade_rank
                and grade_rank >= getvariable('hierarchy_inversion__compressed_min_rank') then 'compressed'
        end as kind
    from lines
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
                   when kind = 'reversed' then 'it is banded above the position it reports to'
                   when classification_code = manager_classification_code then 'both are in the same band'
                   -- different classifications of one crosswalk rank (WA Class 3 under Class 4)
                   else format('both sit at the same crosswalk tier ({})', tier)
               end) as message,
        json_object(
            'kind', kind,
            'tier', tier, 'grade_rank', grade_rank,
            'reports_to_position_id', reports_to_position_id,
            'reports_to_classification', manager_classification_code,
            'reports_to_tier', manager_tier, 'reports_to_grade_rank', manager_grade_rank,
            'compressed_from_rank', getvariable('hierarchy_inversion__compressed_min_rank')
        ) as evidence
    from inverted
    where kind is not null
)

select * from final
