-- rule: workload_rationale
-- title: Decision rests on workload or volume, not work value
-- source: 004 (WA executive classification methodology: work value is not workload or work mix)
-- finds: the rationale rests on workload or volume, not work value, and cites no scope evidence
-- severities: medium, low
-- when: medium with no work value argument; low when work value terms are also present
-- magnitude: counted workload terms less work value terms, plus one (a tie is 1)
-- evidence: determination_id, workload_terms, work_value_terms, dismissed_workload_terms,
--   scope_evidence_terms, thresholds
-- grain: one row per position per snapshot whose latest rationale rests on workload
--
-- the latest determination's rationale rests on workload or volume, which
-- is not work value (WA executive classification methodology). Terms of both kinds come from
-- data/frameworks/wa_ecm.toml. An occurrence of a workload term is dismissed (it argues against
-- workload, so it does not count) when, within its sentence, a dismissive phrase comes a few words
-- before it ("not", "regardless of", "although" ...) or after it ("... is not work value",
-- "... but not counted"); a negation that only stresses ("no doubt", "not only":
-- non_dismissive_phrases) dismisses nothing. A workload term counts when at least one of its
-- occurrences is not dismissed. Flagged when the counted workload terms are at least as many as
-- the work value terms, unless the rationale cites scope evidence (seed 004's evidence of
-- Resource management and Impact: FTE managed, budgets, delegations held; scope_evidence_terms,
-- a counted number of counted_scope_units, or an amount of money), which cancels the reading.
-- grain: one row per position per snapshot whose latest rationale rests on workload
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

term_cores as (
    -- each term as a pattern; plus a counted quantity of work items ("processes over 4,000
    -- applications a year", "300 briefs"): a count of work is a volume argument in any words
    select term, kind, '\b' || regexp_escape(term) || '\b' as core from ref_rationale_terms
    union all
    select '#count', 'workload',
           '\b\d[\d,.]*\+?\s+(\w+\s+){0,2}?('
           || array_to_string(getvariable('workload_rationale__counted_work_items'), '|') || ')\b'
    where len(getvariable('workload_rationale__counted_work_items')) > 0
    union all
    -- counted scope ("1,200 FTE", "350 staff") and amounts of money ("$180 million", "$2.5m")
    select '#scope', 'scope',
           '(\$\s?\d[\d,.]*)|\b\d[\d,.]*\+?\s+('
           || array_to_string(getvariable('workload_rationale__counted_scope_units'), '|') || ')\b'
    where len(getvariable('workload_rationale__counted_scope_units')) > 0
),

terms as (
    -- each term's patterns: the term itself, and the term with a dismissal before or after it
    -- (words counted within a sentence: the gaps between words hold no . ; ! or ?)
    select
        term, kind,
        core as term_pattern,
        -- a term that starts and ends with a letter or digit: between spaces it is a whole word
        regexp_full_match(term, '\w(.*\w)?') as is_word_bounded,
        case when len(getvariable('workload_rationale__dismissive_phrases')) > 0 then
            '\b(' || array_to_string(getvariable('workload_rationale__dismissive_phrases'), '|')
            || ')\b([^\w.;!?]+\w+){0,' || getvariable('workload_rationale__dismissal_window_words')
            || '}?[^\w.;!?]+' || core end as dismissed_before_pattern,
        case when len(getvariable('workload_rationale__dismissive_phrases_after')) > 0 then
            core || '([^\w.;!?]+\w+){0,'
            || getvariable('workload_rationale__dismissal_after_window_words')
            || '}?[^\w.;!?]+(' || array_to_string(getvariable('workload_rationale__dismissive_phrases_after'), '|')
            || ')\b' end as dismissed_after_pattern
    from term_cores
),

wordings as (
    -- each distinct rationale once (many determinations share a wording: the patterns below
    -- are per term, so DuckDB compiles them per row), with the text the dismissals are read
    -- in: stressing negations blanked out
    select
        rationale,
        case when len(getvariable('workload_rationale__non_dismissive_phrases')) = 0
            then rationale
            else regexp_replace(rationale,
                '\b(' || array_to_string(getvariable('workload_rationale__non_dismissive_phrases'), '|')
                || ')\b', ' ', 'g') end as rationale_for_dismissals
    from (select distinct rationale from decisions)
),

texts as (
    -- whether a dismissive phrase is in a wording at all, as the dismissal patterns below have
    -- it: a text with none has nothing to cut out; and whether it holds a digit, without which
    -- no counted quantity can match
    select
        rationale, rationale_for_dismissals,
        regexp_matches(rationale, '\d') as has_digit,
        len(getvariable('workload_rationale__dismissive_phrases')) > 0
            and regexp_matches(rationale_for_dismissals, '\b('
                || array_to_string(getvariable('workload_rationale__dismissive_phrases'), '|')
                || ')\b') as has_dismissal_before,
        len(getvariable('workload_rationale__dismissive_phrases_after')) > 0
            and regexp_matches(rationale_for_dismissals, '('
                || array_to_string(getvariable('workload_rationale__dismissive_phrases_after'), '|')
                || ')\b') as has_dismissal_after
    from wordings
),

candidates as (
    -- a term's pattern matches only a text that contains the term, a counted quantity's only
    -- a text with a digit: cheap first tests
    select texts.*, terms.*
    from texts
    join terms on (terms.term in ('#count', '#scope') and texts.has_digit)
        or contains(texts.rationale, terms.term)
),

hits as (
    -- a counted quantity is named by the words that matched ("4,000 applications"); a term
    -- that stands between spaces (or at an end of the text) matches without its pattern
    select * replace (
        case when term in ('#count', '#scope') then regexp_extract(rationale, term_pattern, 0)
            else term end
        as term)
    from candidates
    where (is_word_bounded and contains(' ' || rationale || ' ', ' ' || term || ' '))
        or regexp_matches(rationale, term_pattern)
),

cut_before as (
    -- the rationale with every occurrence of the term dismissed before it cut out (only a
    -- workload term is dismissed: the other kinds count wherever they occur)
    select
        *,
        case when kind = 'workload' and has_dismissal_before then coalesce(
            regexp_replace(rationale_for_dismissals, dismissed_before_pattern, ' ', 'g'),
            rationale_for_dismissals)
        else rationale_for_dismissals end as rationale_cut_before
    from hits
),

undismissed as (
    -- then every occurrence dismissed after it
    select
        *,
        case when kind = 'workload' and has_dismissal_after then coalesce(
            regexp_replace(rationale_cut_before, dismissed_after_pattern, ' ', 'g'),
            rationale_cut_before)
        else rationale_cut_before end as rationale_left
    from cut_before
),

counted as (
    -- another kind, or nothing cut (the text as matched above): the term is used; else it is
    -- if an occurrence is left (the pattern is matched only then)
    select *, case when kind <> 'workload' or rationale_left = rationale then true
                   else regexp_matches(rationale_left, term_pattern) end as is_used
    from undismissed
),

weighed as (
    -- the terms of each wording (the same for every determination worded so), then the
    -- decisions worded so
    select decisions.snapshot_date, decisions.jurisdiction, decisions.agency_code,
           decisions.position_id, decisions.position_title, decisions.classification_code,
           decisions.determination_id, wording_terms.* exclude (rationale)
    from (
        select rationale,
               list(distinct term order by term) filter (where kind = 'workload' and is_used) as workload_terms,
               list(distinct term order by term) filter (where kind = 'work_value') as work_value_terms,
               list(distinct term order by term) filter (where kind = 'workload' and not is_used) as dismissed_terms,
               list(distinct term order by term) filter (where kind = 'scope') as scope_terms
        from counted
        group by rationale
    ) as wording_terms
    join decisions using (rationale)
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when len(coalesce(work_value_terms, [])) = 0 then 'medium' else 'low' end as severity,
        format('The rationale of determination {} for {} ({}) rests on workload or volume ({}){}; work value is not workload.',
               determination_id, position_title, position_id,
               array_to_string(workload_terms, ', '),
               case
                   when len(coalesce(work_value_terms, [])) = 0 then ', with no work value argument'
                   when len(workload_terms) > len(work_value_terms)
                       then format(', more than on work value ({})', array_to_string(work_value_terms, ', '))
                   else format(', as much as on work value ({})', array_to_string(work_value_terms, ', '))
               end) as message,
        json_object('determination_id', determination_id,
                    'workload_terms', workload_terms,
                    'work_value_terms', coalesce(work_value_terms, []),
                    'dismissed_workload_terms', coalesce(dismissed_terms, []),
                    'scope_evidence_terms', coalesce(scope_terms, []),
                    'source', '004 (WA executive classification methodology): work value does not consider quantity or volume of work',
                    'thresholds', json_object(
                        'dismissal_window_words', getvariable('workload_rationale__dismissal_window_words'),
                        'dismissal_after_window_words', getvariable('workload_rationale__dismissal_after_window_words'))
        ) as evidence,
        -- counted workload terms less work value terms, plus one (1: as many of each)
        (len(workload_terms) - len(coalesce(work_value_terms, [])) + 1)::double as magnitude
    from weighed
    where len(coalesce(workload_terms, [])) >= 1
        and len(coalesce(workload_terms, [])) >= len(coalesce(work_value_terms, []))
        and len(coalesce(scope_terms, [])) = 0
)

select * from final
