-- agency_summary: one row per agency per snapshot: its workforce, executives and data coverage.
with positions as (
    select * from positions
),

summarised as (
    select
        snapshot_date,
        jurisdiction,
        agency_code,
        any_value(agency_name) as agency_name,
        count(*) as count_positions,
        count(*) filter (where is_executive) as count_executive_positions,
        count(*) filter (where classification_code is null) as count_unmapped_classifications,
        count(*) filter (where occupancy = 'vacant') as count_vacant_positions,
        sum(coalesce(aggregate_fte, fte)) as total_fte
    from positions
    group by snapshot_date, jurisdiction, agency_code
),

final as (
    select * from summarised
)

select * from final
