-- stale_determination: the latest determination is older than max_age_years at the snapshot,
-- or the position's staff or budget has moved by more than max_resource_change (a share) since
-- the snapshot the decision was made against.
with scores as (
    select * from position_scores where determination_id is not null
),

history as (
    select snapshot_date as history_date, jurisdiction, agency_code, position_id,
           staff_managed as staff_then, budget_managed as budget_then
    from positions
),

at_decision as (
    -- the position as the latest snapshot on or before the decision showed it
    select scores.*, history.history_date, history.staff_then, history.budget_then
    from scores
    asof left join history
        on history.jurisdiction = scores.jurisdiction
        and history.agency_code = scores.agency_code
        and history.position_id = scores.position_id
        and history.history_date <= scores.decision_date
),

measured as (
    select
        *,
        datediff('day', decision_date, snapshot_date) / 365.25 as age_years,
        abs(staff_managed - staff_then) / nullif(staff_then, 0) as staff_change,
        abs(budget_managed - budget_then) / nullif(budget_then, 0) as budget_change
    from at_decision
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'low' as severity,
        format('{} ({}) was last classified on {}, {} years before this snapshot{}; re-evaluate it.',
               position_title, position_id, decision_date, round(age_years, 1),
               case when greatest(staff_change, budget_change) > getvariable('stale_determination__max_resource_change')
                   then format(', and its staff or budget has moved {}% since',
                               round(100 * greatest(staff_change, budget_change)))
                   else '' end) as message,
        json_object(
            'decision_date', decision_date, 'age_years', round(age_years, 1),
            'max_age_years', getvariable('stale_determination__max_age_years'),
            'staff_then', staff_then, 'staff_now', staff_managed,
            'budget_then', budget_then, 'budget_now', budget_managed,
            'max_resource_change', getvariable('stale_determination__max_resource_change')
        ) as evidence
    from measured
    where age_years > getvariable('stale_determination__max_age_years')
        or greatest(staff_change, budget_change) > getvariable('stale_determination__max_resource_change')
)

select * from final
