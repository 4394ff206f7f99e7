-- rule: stale_determination
-- title: Determination is old or the position has changed since
-- source: Victorian principle: re-evaluate when responsibilities change (../shared/REFERENCES.md);
--   004 (the organisation structure tier and unit are evidence of Relationships; accountabilities
--   may change over time)
-- finds: the decision is older than max_age_years, or staff or budget moved more than
--   max_resource_change since the snapshot the decision was made against, or since the first
--   snapshot after the decision the position reports to another manager position, its manager
--   was reclassified, its stream or title changed or it moved agency (structural_triggers)
-- severities: low
-- when: low
-- magnitude: times its threshold the largest trigger reaches: age / max_age_years, change /
--   max_resource_change, or the number of structural triggers that fired (each counts one)
-- evidence: decision_date, age_years, max_age_years, compared_with_snapshot, staff_then, staff_now,
--   budget_then, budget_now, max_resource_change, triggers, structure_compared_with_snapshot,
--   reports_to_then, reports_to_now, manager_title_then, manager_title_now,
--   manager_classification_then, manager_classification_now, stream_then, stream_now,
--   title_then, title_now, agency_then, agency_now, structural_triggers, min_title_edits
-- grain: one row per position per snapshot whose determination is stale
--
-- the latest determination is older than max_age_years at the snapshot,
-- or the position's staff or budget has moved by more than max_resource_change (a share) since
-- the decision: measured from the latest snapshot on or before the decision or, where the
-- warehouse holds none that early (decisions made before the first extract), from the first
-- snapshot after it.
-- The structural triggers compare the position now with its view at the first snapshot of its
-- agency on or after the decision (before this snapshot): a change seen between the snapshot
-- before the decision and the one after may be what the decision was made for, so it is never
-- claimed. Each trigger says nothing where either side is unknown:
--   new_manager          the reported-to id differs (as a key) and the two managers differ in
--                        title (min_title_edits) or classification (a renumbered manager keeps
--                        both: no finding)
--   manager_reclassified the same reported-to id, its classification changed
--   stream_changed       both streams recognised (ref_stream_aliases), different streams
--   title_changed        the titles differ beyond case, spaces, punctuation, accents and "&",
--                        by min_title_edits character edits or more (a corrected typo is none)
--   moved_agency         the id is the only one of its jurisdiction at both snapshots, in
--                        another agency then, with the same title (fewer than min_title_edits
--                        edits apart); both agencies are in both snapshots (no rename), and
--                        the determination in force predates the move
with scores as (
    select * from position_scores where determination_id is not null
),

history as (
    select snapshot_date as history_date, jurisdiction, agency_code, position_id,
           staff_managed as staff_then, budget_managed as budget_then
    from positions
),

lines as (
    select * from int_reporting_lines
),

agency_snapshots as (
    select distinct jurisdiction, agency_code, snapshot_date from positions
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

structure_dates as (
    -- the first snapshot of the agency on or after the decision, if before this one
    select scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
           after.snapshot_date as structure_date
    from scores
    asof join agency_snapshots as after
        on after.jurisdiction = scores.jurisdiction
        and after.agency_code = scores.agency_code
        and after.snapshot_date >= scores.decision_date
    where after.snapshot_date < scores.snapshot_date
),

absent_then as (
    -- the positions not in their own agency at the structure snapshot: only they can have moved
    select dates.*
    from structure_dates as dates
    anti join positions as present
        on present.snapshot_date = dates.structure_date
        and present.jurisdiction = dates.jurisdiction
        and present.agency_code = dates.agency_code
        and present.position_id = dates.position_id
),

sole_ids as (
    -- of those positions' ids now and at the structure snapshot, the ones held by one position
    -- only in their jurisdiction's snapshot (a hash aggregate)
    select positions.snapshot_date, positions.jurisdiction, positions.position_id,
           any_value(positions.agency_code) as agency_code
    from positions
    semi join (
        select snapshot_date, jurisdiction, position_id from absent_then
        union
        select structure_date, jurisdiction, position_id from absent_then
    ) as asked
        on asked.snapshot_date = positions.snapshot_date
        and asked.jurisdiction = positions.jurisdiction
        and asked.position_id = positions.position_id
    group by all
    having count(*) = 1
),

moves as (
    -- the id alone in its jurisdiction now and at the structure snapshot, then in another
    -- agency that is still there now, and the receiving agency already there then
    select dates.snapshot_date, dates.jurisdiction, dates.agency_code, dates.position_id,
           dates.structure_date, sole_then.agency_code as agency_then
    from absent_then as dates
    join sole_ids as sole_now
        on sole_now.snapshot_date = dates.snapshot_date
        and sole_now.jurisdiction = dates.jurisdiction
        and sole_now.position_id = dates.position_id
    join sole_ids as sole_then
        on sole_then.snapshot_date = dates.structure_date
        and sole_then.jurisdiction = dates.jurisdiction
        and sole_then.position_id = dates.position_id
        and sole_then.agency_code <> dates.agency_code
    join agency_snapshots as old_agency_now
        on old_agency_now.snapshot_date = dates.snapshot_date
        and old_agency_now.jurisdiction = dates.jurisdiction
        and old_agency_now.agency_code = sole_then.agency_code
),

asked as (
    -- the positions the triggers compare: each now, at the structure snapshot and where it
    -- moved from
    select snapshot_date, jurisdiction, agency_code, position_id from structure_dates
    union
    select structure_date, jurisdiction, agency_code, position_id from structure_dates
    union
    select structure_date, jurisdiction, agency_then, position_id from moves
),

asked_ids as (
    select distinct position_id from asked
),

compared_positions as (
    select staff.*
    from positions as staff
    semi join asked_ids using (position_id)
    semi join asked using (snapshot_date, jurisdiction, agency_code, position_id)
),

compared_lines as (
    -- their reporting lines, found by the keys asked (not every line joined to them)
    select * from lines
    semi join asked_ids using (position_id)
    semi join asked using (snapshot_date, jurisdiction, agency_code, position_id)
),

titled as (
    -- those positions with their manager's title and classification (the reporting lines)
    select
        staff.snapshot_date, staff.jurisdiction, staff.agency_code, staff.position_id,
        staff.position_title, staff.stream, staff.stream_code,
        staff.reports_to_position_id, wv_key(staff.reports_to_position_id) as reports_to_key,
        compared_lines.manager_title, compared_lines.manager_classification_code
    from compared_positions as staff
    left join compared_lines using (snapshot_date, jurisdiction, agency_code, position_id)
),

title_keys as (
    -- each title once as a key: case, spaces, punctuation, accents and "&" aside
    select title, wv_title_key(title) as title_key
    from (select position_title as title from titled
          union
          select manager_title from titled)
    where title is not null
),

views as (
    select titled.*, own.title_key, manager.title_key as manager_title_key
    from titled
    left join title_keys as own on own.title = titled.position_title
    left join title_keys as manager on manager.title = titled.manager_title
),

structure as (
    -- the position then (in its own agency, else where it moved from) and now
    select dates.snapshot_date, dates.jurisdiction, dates.agency_code, dates.position_id,
           dates.structure_date,
           coalesce(same.position_title, moved.position_title) as title_then,
           coalesce(same.title_key, moved.title_key) as title_key_then,
           coalesce(same.stream, moved.stream) as stream_then,
           coalesce(same.stream_code, moved.stream_code) as stream_code_then,
           coalesce(same.reports_to_position_id, moved.reports_to_position_id) as reports_to_then,
           coalesce(same.reports_to_key, moved.reports_to_key) as reports_to_key_then,
           coalesce(same.manager_title, moved.manager_title) as manager_title_then,
           coalesce(same.manager_title_key, moved.manager_title_key) as manager_title_key_then,
           coalesce(same.manager_classification_code, moved.manager_classification_code)
               as manager_classification_then,
           case when same.position_id is null then moves.agency_then end as agency_then,
           now.position_title as title_now, now.title_key as title_key_now,
           now.stream as stream_now, now.stream_code as stream_code_now,
           now.reports_to_position_id as reports_to_now, now.reports_to_key as reports_to_key_now,
           now.manager_title as manager_title_now,
           now.manager_title_key as manager_title_key_now,
           now.manager_classification_code as manager_classification_now
    from structure_dates as dates
    join views as now
        on now.snapshot_date = dates.snapshot_date
        and now.jurisdiction = dates.jurisdiction
        and now.agency_code = dates.agency_code
        and now.position_id = dates.position_id
    left join views as same
        on same.snapshot_date = dates.structure_date
        and same.jurisdiction = dates.jurisdiction
        and same.agency_code = dates.agency_code
        and same.position_id = dates.position_id
    left join moves
        on moves.snapshot_date = dates.snapshot_date
        and moves.jurisdiction = dates.jurisdiction
        and moves.agency_code = dates.agency_code
        and moves.position_id = dates.position_id
    left join views as moved
        on same.position_id is null
        and moved.snapshot_date = dates.structure_date
        and moved.jurisdiction = dates.jurisdiction
        and moved.agency_code = moves.agency_then
        and moved.position_id = dates.position_id
    where same.position_id is not null
        or levenshtein(moved.title_key, now.title_key) < getvariable('stale_determination__min_title_edits')
),

compared as (
    -- each structural change as a flag (a trigger says nothing where a side is unknown); equal
    -- keys are no edits apart, without the cost of an edit distance (most titles stay the same)
    select
        *,
        reports_to_key_then <> reports_to_key_now
            and (case when manager_title_key_then = manager_title_key_now then 0
                      else levenshtein(manager_title_key_then, manager_title_key_now) end
                     >= getvariable('stale_determination__min_title_edits')
                 or manager_classification_then <> manager_classification_now) as is_new_manager,
        reports_to_key_then = reports_to_key_now
            and manager_classification_then <> manager_classification_now as is_manager_reclassified,
        stream_code_then <> stream_code_now as is_stream_changed,
        case when title_key_then = title_key_now then 0
            else levenshtein(title_key_then, title_key_now) end
            >= getvariable('stale_determination__min_title_edits') as is_title_changed,
        agency_then is not null as is_moved_agency
    from structure
),

structural_changes as (
    -- the changes that fired, among the triggers data/rules.toml switches on
    select
        snapshot_date, jurisdiction, agency_code, position_id, structure_date, title_then,
        title_now, stream_then, stream_now, reports_to_then, reports_to_now,
        manager_title_then, manager_title_now, manager_classification_then,
        manager_classification_now, agency_then,
        list_filter([
            case when is_new_manager then 'new_manager' end,
            case when is_manager_reclassified then 'manager_reclassified' end,
            case when is_stream_changed then 'stream_changed' end,
            case when is_title_changed then 'title_changed' end,
            case when is_moved_agency then 'moved_agency' end
        ], lambda trigger: trigger is not null
               and list_contains(getvariable('stale_determination__structural_triggers'), trigger))
            as structural
    from compared
),

measured as (
    select
        scores.*,
        baseline.history_date, baseline.staff_then, baseline.budget_then,
        baseline.is_before_decision,
        datediff('day', scores.decision_date, scores.snapshot_date) / 365.25 as age_years,
        abs(scores.staff_managed - baseline.staff_then) / nullif(baseline.staff_then, 0) as staff_change,
        abs(scores.budget_managed - baseline.budget_then) / nullif(baseline.budget_then, 0) as budget_change,
        changes.structure_date, changes.title_then, changes.title_now, changes.stream_then,
        changes.stream_now, changes.reports_to_then, changes.reports_to_now,
        changes.manager_title_then, changes.manager_title_now,
        changes.manager_classification_then, changes.manager_classification_now,
        changes.agency_then,
        coalesce(changes.structural, []) as structural
    from scores
    left join baseline
        using (snapshot_date, jurisdiction, agency_code, position_id)
    left join structural_changes as changes
        using (snapshot_date, jurisdiction, agency_code, position_id)
),

judged as (
    select
        *,
        age_years > getvariable('stale_determination__max_age_years') as is_old,
        greatest(staff_change, budget_change) > getvariable('stale_determination__max_resource_change') as has_moved,
        list_concat(list_filter([
            case when age_years > getvariable('stale_determination__max_age_years') then 'age' end,
            case when staff_change > getvariable('stale_determination__max_resource_change') then 'staff_moved' end,
            case when budget_change > getvariable('stale_determination__max_resource_change') then 'budget_moved' end
        ], lambda trigger: trigger is not null), structural) as triggers
    from measured
),

described as (
    -- the structural changes in words, in the order of the triggers
    select
        *,
        list_filter([
            case when list_contains(structural, 'new_manager')
                then format('it reports to {} ({}) rather than {} ({})', manager_title_now,
                            reports_to_now, manager_title_then, reports_to_then) end,
            case when list_contains(structural, 'manager_reclassified')
                then format('its manager {} was reclassified from {} to {}', reports_to_now,
                            manager_classification_then, manager_classification_now) end,
            case when list_contains(structural, 'stream_changed')
                then format('its stream changed from {} to {}', stream_then, stream_now) end,
            case when list_contains(structural, 'title_changed')
                then format('its title changed from ''{}''', title_then) end,
            case when list_contains(structural, 'moved_agency')
                then format('it moved from {}', agency_then) end
        ], lambda phrase: phrase is not null) as changes
    from judged
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'low' as severity,
        round(greatest(
            age_years / getvariable('stale_determination__max_age_years'),
            greatest(staff_change, budget_change) / getvariable('stale_determination__max_resource_change'),
            len(structural)
        ), 2)::double as magnitude,
        format('{} ({}) was last classified on {}, {}{}{}; re-evaluate it.',
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
                   else '' end,
               case when len(changes) > 0
                   then format('; since the {} snapshot {}', structure_date,
                               array_to_string(changes, ', '))
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
            'max_resource_change', getvariable('stale_determination__max_resource_change'),
            'triggers', triggers,
            'structure_compared_with_snapshot', structure_date,
            'reports_to_then', reports_to_then, 'reports_to_now', reports_to_now,
            'manager_title_then', manager_title_then, 'manager_title_now', manager_title_now,
            'manager_classification_then', manager_classification_then,
            'manager_classification_now', manager_classification_now,
            'stream_then', stream_then, 'stream_now', stream_now,
            'title_then', title_then, 'title_now', title_now,
            'agency_then', coalesce(agency_then, agency_code), 'agency_now', agency_code,
            'structural_triggers', getvariable('stale_determination__structural_triggers'),
            'min_title_edits', getvariable('stale_determination__min_title_edits')
        ) as evidence
    from described
    where len(triggers) > 0
)

select * from final
