-- int_reporting_lines: one row per position per snapshot that names a position it reports to:
-- both positions' grades, and whether the manager is in the same snapshot of the same agency.
with positions as not materialized (
    -- read by each side of the join with only the columns it needs, not copied once
    select * from positions
),

final as (
    select
        staff.snapshot_date, staff.jurisdiction, staff.agency_code, staff.position_id,
        staff.position_title, staff.classification_code, staff.tier, staff.grade_rank,
        staff.is_executive, staff.occupancy, staff.reports_to_position_id,
        manager.position_id is not null as is_manager_found,
        manager.position_title as manager_title,
        manager.classification_code as manager_classification_code,
        manager.tier as manager_tier,
        manager.grade_rank as manager_grade_rank
    from positions as staff
    left join positions as manager
        on manager.snapshot_date = staff.snapshot_date
        and manager.jurisdiction = staff.jurisdiction
        and manager.agency_code = staff.agency_code
        and manager.position_id = staff.reports_to_position_id
    where staff.reports_to_position_id is not null
)

select * from final
