-- determination_mismatch: the classification a position holds differs from the one its latest
-- determination (as at the snapshot) decided.
with scores as (
    select * from position_scores
    where determined_classification_code is not null
        and classification_code is distinct from determined_classification_code
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'high' as severity,
        format('{} ({}) is held at {}, but its latest determination ({}, {}) decided {}.',
               position_title, position_id, classification_code, determination_id,
               decision_date, determined_classification_code) as message,
        json_object(
            'held_classification', classification_code,
            'determined_classification', determined_classification_code,
            'determination_id', determination_id,
            'decision_date', decision_date,
            'count_determinations', count_determinations
        ) as evidence
    from scores
)

select * from final
