-- workload_rationale: the latest determination's rationale rests on workload or volume, which
-- is not work value (WA executive classification methodology). Terms of both kinds come from
-- data/frameworks/wa_ecm.toml; a workload term preceded within a few words by a dismissive
-- phrase ("not", "regardless of", "rather than" ...) argues against workload and is not counted.
-- Flagged when the workload terms are at least as many as the work value terms.
with scores as (
    select * from position_scores where determination_id is not null
),

decisions as (
    select scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
           scores.position_title, scores.classification_code, scores.determination_id,
           lower(determinations.rationale) as rationale
    from scores
    join determinations using (determination_id)
    where determinations.rationale is not null
),

hits as (
    select
        decisions.*, terms.term, terms.kind,
        regexp_matches(decisions.rationale,
            '\b(' || array_to_string(getvariable('workload_rationale__dismissive_phrases'), '|')
            || ')\b(\W+\w+){0,' || getvariable('workload_rationale__dismissal_window_words')
            || '}?\W+' || regexp_escape(terms.term) || '\b') as is_dismissed
    from decisions
    join ref_rationale_terms as terms
        on regexp_matches(decisions.rationale, '\b' || regexp_escape(terms.term) || '\b')
),

weighed as (
    select snapshot_date, jurisdiction, agency_code, position_id,
           any_value(position_title) as position_title,
           any_value(classification_code) as classification_code,
           any_value(determination_id) as determination_id,
           list(distinct term order by term) filter (where kind = 'workload' and not is_dismissed) as workload_terms,
           list(distinct term order by term) filter (where kind = 'work_value') as work_value_terms,
           list(distinct term order by term) filter (where kind = 'workload' and is_dismissed) as dismissed_terms
    from hits
    group by snapshot_date, jurisdiction, agency_code, position_id
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when len(coalesce(work_value_terms, [])) = 0 then 'medium' else 'low' end as severity,
        format('The rationale of determination {} for {} ({}) rests on workload or volume ({}){}; work value is not workload.',
               determination_id, position_title, position_id,
               array_to_string(workload_terms, ', '),
               case when len(coalesce(work_value_terms, [])) = 0 then ', with no work value argument'
                   else format(', more than on work value ({})', array_to_string(work_value_terms, ', ')) end) as message,
        json_object('determination_id', determination_id,
                    'workload_terms', workload_terms,
                    'work_value_terms', coalesce(work_value_terms, []),
                    'dismissed_workload_terms', coalesce(dismissed_terms, [])) as evidence
    from weighed
    where len(coalesce(workload_terms, [])) >= 1
        and len(coalesce(workload_terms, [])) >= len(coalesce(work_value_terms, []))
)

select * from final
