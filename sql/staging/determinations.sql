-- determinations: one row per classification decision, cleaned, typed and coded, from the
-- incoming extract file (temp view `incoming`, every column text).
with incoming as (
    select * from incoming
),

texts as (
    -- every value trimmed once; the readers below read the trimmed text (the _of macros)
    select
        source_file,
        row_number,
        wv_text(determination_id) as determination_id,
        wv_text(jurisdiction) as jurisdiction,
        wv_text(agency_code) as agency_code,
        wv_text(position_id) as position_id,
        wv_text(decision_date) as decision_date,
        wv_text(determined_classification) as determined_classification,
        wv_text(method) as method,
        wv_text(evaluator) as evaluator,
        wv_text(knowledge) as knowledge,
        wv_text(relationships) as relationships,
        wv_text(judgement_risk) as judgement_risk,
        wv_text(independence) as independence,
        wv_text(strategic_change) as strategic_change,
        wv_text(impact) as impact,
        wv_text(breadth) as breadth,
        wv_text(resource_management) as resource_management,
        wv_text(total_points) as total_points,
        wv_text(rationale) as rationale
    from incoming
),

read_values as (
    select
        texts.*,
        wv_date_of(decision_date) as decision_date_read,
        wv_number_of(knowledge) as knowledge_number,
        wv_number_of(relationships) as relationships_number,
        wv_number_of(judgement_risk) as judgement_risk_number,
        wv_number_of(independence) as independence_number,
        wv_number_of(strategic_change) as strategic_change_number,
        wv_number_of(impact) as impact_number,
        wv_number_of(breadth) as breadth_number,
        wv_number_of(resource_management) as resource_management_number,
        wv_number_of(total_points) as total_points_read       -- as the agency recorded it
    from texts
),

cleaned as (
    select
        source_file,
        row_number,
        determination_id,
        upper(jurisdiction) as jurisdiction,
        agency_code,
        position_id,
        decision_date_read as decision_date,
        determined_classification,
        method,
        evaluator,
        wv_whole(knowledge_number) as knowledge,
        wv_whole(relationships_number) as relationships,
        wv_whole(judgement_risk_number) as judgement_risk,
        wv_whole(independence_number) as independence,
        wv_whole(strategic_change_number) as strategic_change,
        wv_whole(impact_number) as impact,
        wv_whole(breadth_number) as breadth,
        wv_whole(resource_management_number) as resource_management,
        total_points_read as total_points,
        rationale,
        list_filter([
            wv_problem('decision_date', decision_date, decision_date_read, wv_expect_date()),
            wv_problem('knowledge', knowledge, wv_whole(knowledge_number), wv_expect_integer()),
            wv_problem('relationships', relationships, wv_whole(relationships_number), wv_expect_integer()),
            wv_problem('judgement_risk', judgement_risk, wv_whole(judgement_risk_number), wv_expect_integer()),
            wv_problem('independence', independence, wv_whole(independence_number), wv_expect_integer()),
            wv_problem('strategic_change', strategic_change, wv_whole(strategic_change_number), wv_expect_integer()),
            wv_problem('impact', impact, wv_whole(impact_number), wv_expect_integer()),
            wv_problem('breadth', breadth, wv_whole(breadth_number), wv_expect_integer()),
            wv_problem('resource_management', resource_management, wv_whole(resource_management_number), wv_expect_integer()),
            wv_problem('total_points', total_points, total_points_read, wv_expect_number())
        ], lambda problem: problem is not null) as problems
    from read_values
),

coded as (
    select
        cleaned.*,
        spellings.classification_code as determined_classification_code,
        crosswalk.tier as determined_tier
    from cleaned
    left join classification_spellings as spellings
        on spellings.jurisdiction = cleaned.jurisdiction
        and spellings.spelling_key = wv_key(cleaned.determined_classification)
    left join ref_crosswalk as crosswalk
        on crosswalk.classification_code = spellings.classification_code
),

final as (
    select
        determination_id, jurisdiction, agency_code, position_id, decision_date,
        determined_classification, determined_classification_code, determined_tier,
        method, evaluator, knowledge, relationships, judgement_risk, independence,
        strategic_change, impact, breadth, resource_management, total_points, rationale,
        source_file, row_number, problems
    from coded
)

select * from final
