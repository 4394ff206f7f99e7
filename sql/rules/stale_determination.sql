-- rule: stale_determination
-- title: Determination is old or the position has changed since
-- source: Victorian principle: re-evaluate when responsibilities change (../shared/REFERENCES.md)
-- finds: the decision is older than max_age_years, or staff or budget moved more than
--   max_resource_change since the snapshot the decision was made against
-- severities: low
-- when: low
-- magnitude: times its threshold the larger trigger reaches: age / max_age_years, or change /
--   max_resource_change
-- evidence: decision_date, age_years, max_age_years, compared_with_snapshot, staff_then, staff_now,
--   budget_then, budget_now, max_resource_change
-- grain: one row per position per snapshot whose determination is stale
--
-- the latest determination is older than max_age_years at the snapshot,
-- or the position's staff or budget has moved by more than max_resource_change (a share) since
-- the decision: measured from the latest snapshot on or before the decision or, where the
-- warehouse holds none that early (decisions made before the first extract), from the first
-- snapshot after it.
with scores as (
    select * from position_scores where determination_id is not null
),

history as (
    select snapshot_date as history_date, jurisdiction, agency_code, position_id,
           staff_managed as staff_then, budget_managed as budget_then
    from positions
),

baseline as (
    -- one earlier view of the position per score row: the latest at or before the decision,
    -- else the earliest after it
    select scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
           history.history_date, history.staff_then, history.budget_then,
           history.history_date <= scores.decision_date as is_before_decision
    from scores
    join history
        on history.jurisdiction = scores.jurisdiction
        and history.agency_code = scores.agency_code
        and history.position_id = scores.position_id
        and history.history_date <= scores.snapshot_date
    qualify row_number() over (
        partition by scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id
        order by history.history_date <= scores.decision_date desc,
                 case when history.history_date <= scores.decision_date then history.history_date end desc,
                 history.history_date) = 1
),

measured as (
    select
        scores.*,
        baseline.history_date, baseline.staff_then, baseline.budget_then,
        baseline.is_before_decision,
        datediff('day', scores.decision_date, scores.snapshot_date) / 365.25 as age_years,
        abs(scores.staff_managed - baseline.staff_then) / nullif(baseline.staff_then, 0) as staff_change,
        abs(scores.budget_managed - baseline.budget_then) / nullif(baseline.budget_then, 0) as budget_change
    from scores
    left join baseline
        using (snapshot_date, jurisdiction, agency_code, position_id)
),

judged as (
    select
        *,
        age_years > getvariable('stale_determination__max_age_years') as is_old,
        greatest(staff_change, budget_change) > getvariable('stale_determination__max_resource_change') as has_moved
    from measured
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'low' as severity,
        round(greatest(
            age_years / getvariable('stale_determination__max_age_years'),
            greatest(staff_change, budget_change) / getvariable('stale_determination__max_resource_change')
        ), 2)::double as magnitude,
        format('{} ({}) was last classified on {}, {}{}; re-evaluate it.',
               position_title, position_id, decision_date,
               case when is_old
                   then format('more than {} years before this snapshot',
                               getvariable('stale_determination__max_age_years'))
                   else format('{} years before this snapshot', round(age_years, 1)) end,
               case when has_moved
                   then format(', and its {} has moved {}% since (from the {} snapshot)',
                               case when staff_change >= coalesce(budget_change, 0) then 'staff' else 'budget' end,
                               round(100 * greatest(staff_change, budget_change))::integer,
                               history_date)
                   else '' end) as message,
        json_object(
            'decision_date', decision_date, 'age_years', round(age_years, 2),
            'max_age_years', getvariable('stale_determination__max_age_years'),
            'compared_with_snapshot', history_date,
            'compared_with', case when history_date is null then null
                when is_before_decision then 'latest snapshot on or before the decision'
                else 'first snapshot after the decision' end,
            'staff_then', staff_then, 'staff_now', staff_managed,
            'budget_then', budget_then, 'budget_now', budget_managed,
            'max_resource_change', getvariable('stale_determination__max_resource_change')
        ) as evidence
    from judged
    where is_old or has_moved
)

select * from final
