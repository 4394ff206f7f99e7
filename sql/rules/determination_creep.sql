-- rule: determination_creep
-- title: Successive determinations rise while staff and budget stay flat
-- source: 004 (work mix: accountabilities may change without adding work value; workload is not
--   work value); Victorian principle: re-evaluate when responsibilities change (../shared/REFERENCES.md)
-- finds: the determination in force decided min_points_rise or more points, or a classification
--   of a higher crosswalk rank, than the position's determination before it, while its staff
--   and budget each moved by max_resource_change or less between the snapshots nearest the two
--   decisions
--   (two different snapshots, each within max_days_from_snapshot of its decision)
-- severities: medium
-- when: medium
-- magnitude: points the later determination rose by (0 where only the classification rose)
-- evidence: earlier_determination_id, earlier_decision_date, earlier_points, earlier_classification,
--   later_determination_id, later_decision_date, later_points, later_classification, points_rise,
--   classification_rose, earlier_snapshot, later_snapshot, staff_then, staff_now, budget_then,
--   budget_now, min_points_rise, max_resource_change, max_days_from_snapshot
-- grain: one row per position per snapshot whose determination in force rose from the one before it
--
-- Determinations are ordered by decision date within the position (one per date, as
-- position_scores reads them; a window, no self join). A classification rises with its crosswalk
-- rank: two classifications of one WA tier (Class 1, Class 2) share a points range, so a step
-- within the tier says nothing on its own (the points decide). Each is placed at the position's snapshot
-- nearest its decision (an as-of join either way, the earlier snapshot on a tie). "Flat" needs
-- both figures at both snapshots: a missing staff or budget figure says nothing, and so do two
-- decisions nearest the same snapshot or a decision far from every snapshot.
with scores as (
    select * from position_scores where determination_id is not null
),

decided as (
    -- one decision per position and date (the higher id), with its classification's rank
    select
        determinations.jurisdiction, determinations.agency_code, determinations.position_id,
        determinations.determination_id, determinations.decision_date,
        determinations.determined_classification_code, determinations.computed_points,
        crosswalk.rank as grade_rank
    from int_latest_determinations as determinations
    left join ref_crosswalk as crosswalk
        on crosswalk.classification_code = determinations.determined_classification_code
    where determinations.decision_date is not null
    qualify row_number() over (
        partition by determinations.jurisdiction, determinations.agency_code,
                     determinations.position_id, determinations.decision_date
        order by determinations.determination_id desc) = 1
),

repeated as (
    -- the decisions of positions decided twice or more: only they can have risen
    select * from decided
    qualify count(*) over (partition by jurisdiction, agency_code, position_id) > 1
),

history as (
    -- those positions' snapshots (a semi join: the as-of joins below read no other position)
    select positions.snapshot_date, positions.jurisdiction, positions.agency_code,
           positions.position_id, positions.staff_managed, positions.budget_managed
    from positions
    semi join repeated
        on repeated.jurisdiction = positions.jurisdiction
        and repeated.agency_code = positions.agency_code
        and repeated.position_id = positions.position_id
),

before_decision as (
    select repeated.*, history.snapshot_date as before_date,
           history.staff_managed as before_staff, history.budget_managed as before_budget
    from repeated
    asof left join history
        on history.jurisdiction = repeated.jurisdiction
        and history.agency_code = repeated.agency_code
        and history.position_id = repeated.position_id
        and history.snapshot_date <= repeated.decision_date
),

located as (
    -- the snapshot nearest the decision, if within max_days_from_snapshot
    select
        before_decision.*,
        case when after.snapshot_date is null
                or datediff('day', before_date, decision_date) <= datediff('day', decision_date, after.snapshot_date)
            then before_date else after.snapshot_date end as nearest_date,
        case when nearest_date = before_date then before_staff else after.staff_managed end as nearest_staff,
        case when nearest_date = before_date then before_budget else after.budget_managed end as nearest_budget
    from before_decision
    asof left join history as after
        on after.jurisdiction = before_decision.jurisdiction
        and after.agency_code = before_decision.agency_code
        and after.position_id = before_decision.position_id
        and after.snapshot_date >= before_decision.decision_date
),

placed as (
    select
        * exclude (nearest_date, nearest_staff, nearest_budget),
        case when abs(datediff('day', decision_date, nearest_date))
                <= getvariable('determination_creep__max_days_from_snapshot')
            then nearest_date end as snapshot_near,
        case when snapshot_near is not null then nearest_staff end as staff_near,
        case when snapshot_near is not null then nearest_budget end as budget_near
    from located
),

successive as (
    select
        *,
        lag(determination_id) over position_decisions as earlier_determination_id,
        lag(decision_date) over position_decisions as earlier_decision_date,
        lag(determined_classification_code) over position_decisions as earlier_classification,
        lag(computed_points) over position_decisions as earlier_points,
        lag(grade_rank) over position_decisions as earlier_grade_rank,
        lag(snapshot_near) over position_decisions as earlier_snapshot,
        lag(staff_near) over position_decisions as staff_then,
        lag(budget_near) over position_decisions as budget_then
    from placed
    window position_decisions as (
        partition by jurisdiction, agency_code, position_id order by decision_date)
),

compared as (
    select
        *,
        computed_points - earlier_points as points_rise,
        coalesce(grade_rank > earlier_grade_rank, false) as classification_rose,
        abs(staff_near - staff_then) <= getvariable('determination_creep__max_resource_change') * abs(staff_then)
            and abs(budget_near - budget_then) <= getvariable('determination_creep__max_resource_change') * abs(budget_then)
            as is_flat
    from successive
    where earlier_determination_id is not null
        and snapshot_near > earlier_snapshot
),

crept as (
    select * from compared
    where is_flat
        and (points_rise >= getvariable('determination_creep__min_points_rise') or classification_rose)
),

final as (
    select
        scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
        scores.classification_code as classification,
        'medium' as severity,
        greatest(coalesce(crept.points_rise, 0), 0)::double as magnitude,
        format('{} ({}): determination {} of {} decided {} points ({}) after {} of {} decided {} ({}), while staff ({} to {}) and budget (${:,} to ${:,}) stayed within {}% between the {} and {} snapshots; check what added work value.',
               scores.position_title, scores.position_id, crept.determination_id,
               crept.decision_date, coalesce(crept.computed_points::varchar, 'unknown'),
               crept.determined_classification_code, crept.earlier_determination_id,
               crept.earlier_decision_date, coalesce(crept.earlier_points::varchar, 'unknown'),
               crept.earlier_classification, crept.staff_then, crept.staff_near,
               crept.budget_then::bigint, crept.budget_near::bigint,
               round(100 * getvariable('determination_creep__max_resource_change'))::integer,
               crept.earlier_snapshot, crept.snapshot_near) as message,
        json_object(
            'earlier_determination_id', crept.earlier_determination_id,
            'earlier_decision_date', crept.earlier_decision_date,
            'earlier_points', crept.earlier_points,
            'earlier_classification', crept.earlier_classification,
            'later_determination_id', crept.determination_id,
            'later_decision_date', crept.decision_date,
            'later_points', crept.computed_points,
            'later_classification', crept.determined_classification_code,
            'points_rise', crept.points_rise,
            'classification_rose', crept.classification_rose,
            'earlier_snapshot', crept.earlier_snapshot, 'later_snapshot', crept.snapshot_near,
            'staff_then', crept.staff_then, 'staff_now', crept.staff_near,
            'budget_then', crept.budget_then, 'budget_now', crept.budget_near,
            'min_points_rise', getvariable('determination_creep__min_points_rise'),
            'max_resource_change', getvariable('determination_creep__max_resource_change'),
            'max_days_from_snapshot', getvariable('determination_creep__max_days_from_snapshot')
        ) as evidence
    from scores
    join crept
        on crept.jurisdiction = scores.jurisdiction
        and crept.agency_code = scores.agency_code
        and crept.position_id = scores.position_id
        and crept.determination_id = scores.determination_id
)

select * from final
