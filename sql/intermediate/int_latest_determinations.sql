-- int_latest_determinations: one row per determination, ranked within its position (1 = the
-- latest decision; ties on the date go to the higher determination id), with points recomputed
-- from the eight factors (null unless all eight are scored).
with determinations as (
    select * from determinations
),

scored as (
    select
        *,
        case when knowledge is not null and relationships is not null
                and judgement_risk is not null and independence is not null
                and strategic_change is not null and impact is not null
                and breadth is not null and resource_management is not null
            then knowledge + relationships + judgement_risk + independence
                + strategic_change + impact + breadth + resource_management
        end as computed_points,
        count(*) over (partition by jurisdiction, agency_code, position_id) as count_determinations,
        row_number() over (
            partition by jurisdiction, agency_code, position_id
            order by decision_date desc, determination_id desc
        ) as recency_rank
    from determinations
),

final as (
    select * from scored
)

select * from final
