-- determinations: one row per classification decision, cleaned, typed and coded, from the
-- incoming extract file (temp view `incoming`, every column text).
with incoming as (
    select * from incoming
),

cleaned as (
    select
        source_file,
        row_number,
        wv_text(determination_id) as determination_id,
        upper(wv_text(jurisdiction)) as jurisdiction,
        wv_text(agency_code) as agency_code,
        wv_text(position_id) as position_id,
        wv_date(decision_date) as decision_date,
        wv_text(determined_classification) as determined_classification,
        wv_text(method) as method,
        wv_text(evaluator) as evaluator,
        wv_integer(knowledge) as knowledge,
        wv_integer(relationships) as relationships,
        wv_integer(judgement_risk) as judgement_risk,
        wv_integer(independence) as independence,
        wv_integer(strategic_change) as strategic_change,
        wv_integer(impact) as impact,
        wv_integer(breadth) as breadth,
        wv_integer(resource_management) as resource_management,
        wv_number(total_points) as total_points,       -- as the agency recorded it
        wv_text(rationale) as rationale,
        list_filter([
            wv_problem('decision_date', decision_date, wv_date(decision_date), wv_expect_date()),
            wv_problem('knowledge', knowledge, wv_integer(knowledge), wv_expect_integer()),
            wv_problem('relationships', relationships, wv_integer(relationships), wv_expect_integer()),
            wv_problem('judgement_risk', judgement_risk, wv_integer(judgement_risk), wv_expect_integer()),
            wv_problem('independence', independence, wv_integer(independence), wv_expect_integer()),
            wv_problem('strategic_change', strategic_change, wv_integer(strategic_change), wv_expect_integer()),
            wv_problem('impact', impact, wv_integer(impact), wv_expect_integer()),
            wv_problem('breadth', breadth, wv_integer(breadth), wv_expect_integer()),
            wv_problem('resource_management', resource_management, wv_integer(resource_management), wv_expect_integer()),
            wv_problem('total_points', total_points, wv_number(total_points), wv_expect_number())
        ], lambda problem: problem is not null) as problems
    from incoming
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
