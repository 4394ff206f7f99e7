-- agency_structure: one row per agency per snapshot: executive ratios, layers and span of
-- control as org design practice reports it (share of managers per span category, assistants
-- left out: data/structure.toml).
with positions as (
    select * from positions
),

layers as (
    select * from int_position_layers
),

direct_reports as (
    select snapshot_date, jurisdiction, agency_code, reports_to_position_id as position_id,
           count(*) as span
    from positions
    where reports_to_position_id is not null
        and not regexp_matches(lower(coalesce(position_title, '')),
                               getvariable('structure__assistant_title_pattern'))
    group by all
),

categorised as (
    select *,
        case
            when span <= getvariable('structure__span_bounds')[1] then 'span_1'
            when span <= getvariable('structure__span_bounds')[2] then 'span_2_3'
            when span <= getvariable('structure__span_bounds')[3] then 'span_4_7'
            when span <= getvariable('structure__span_bounds')[4] then 'span_8_12'
            when span <= getvariable('structure__span_bounds')[5] then 'span_13_16'
            else 'span_17_plus'
        end as span_category
    from direct_reports
),

spans as (
    select snapshot_date, jurisdiction, agency_code,
           count(*) as count_managers,
           median(span) as median_span,
           count(*) filter (where span_category = 'span_1') as managers_span_1,
           count(*) filter (where span_category = 'span_2_3') as managers_span_2_3,
           count(*) filter (where span_category = 'span_4_7') as managers_span_4_7,
           count(*) filter (where span_category = 'span_8_12') as managers_span_8_12,
           count(*) filter (where span_category = 'span_13_16') as managers_span_13_16,
           count(*) filter (where span_category = 'span_17_plus') as managers_span_17_plus
    from categorised
    group by all
),

workforce as (
    select positions.snapshot_date, positions.jurisdiction, positions.agency_code,
           any_value(positions.agency_name) as agency_name,
           count(*) as count_positions,
           -- a row standing for several posts (UK junior aggregates) counts their total FTE
           sum(coalesce(positions.aggregate_fte, positions.fte, 1)) as total_fte,
           count(*) filter (where positions.is_executive) as count_executives,
           count(*) filter (where positions.is_executive and positions.occupancy = 'vacant')
               as count_vacant_executives,
           max(layers.layer) as count_layers,
           max(layers.layer) filter (where positions.is_executive) as count_executive_layers
    from positions
    left join layers using (snapshot_date, jurisdiction, agency_code, position_id)
    group by all
),

final as (
    select
        workforce.*,
        round(1000.0 * count_executives / nullif(total_fte, 0), 1) as executives_per_1000_fte,
        spans.* exclude (snapshot_date, jurisdiction, agency_code)
    from workforce
    left join spans using (snapshot_date, jurisdiction, agency_code)
)

select * from final
