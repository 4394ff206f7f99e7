-- rule: determination_mismatch
-- title: Classification held differs from the latest determination
-- source: 001, 004 (a position is held at the classification its evaluation decided);
--   data/crosswalk.toml within_rank_order
-- finds: the classification held differs from the one the latest determination decided
-- severities: high
-- when: high
-- magnitude: grade distance: executive tiers apart, grades apart below the SES, 0.5 within one tier
-- evidence: held_classification, determined_classification, determination_id, decision_date,
--   count_determinations
-- grain: one row per position per snapshot whose held and determined classifications differ
--
-- the classification a position holds differs from the one its latest
-- determination (as at the snapshot) decided: a decision for another classification is acted on
-- (high). The message and magnitude say how far and which way: by crosswalk rank, then within
-- one rank by data/crosswalk.toml's within_rank_order (seed 004: WA Class 1 below Class 2 in one
-- tier); classifications of one rank in no common order are "another classification".
with scores as (
    select * from position_scores
    where determined_classification_code is not null
        and classification_code is distinct from determined_classification_code
),

crosswalk as (
    select * from ref_crosswalk
),

within_rank as (
    select * from ref_within_rank_order
),

compared as (
    select
        scores.*,
        held.rank as held_rank, decided.rank as determined_rank,
        held_order.step as held_step, decided_order.step as determined_step
    from scores
    left join crosswalk as held on held.classification_code = scores.classification_code
    left join crosswalk as decided
        on decided.classification_code = scores.determined_classification_code
    left join within_rank as held_order
        on held_order.classification_code = scores.classification_code
    left join within_rank as decided_order
        on decided_order.classification_code = scores.determined_classification_code
        and decided_order.order_group = held_order.order_group
),

directed as (
    select
        *,
        case
            when determined_rank > held_rank then 'higher'
            when determined_rank < held_rank then 'lower'
            when determined_step > held_step then 'higher within the tier'
            when determined_step < held_step then 'lower within the tier'
            else 'another classification of the tier'
        end as direction
    from compared
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'high' as severity,
        format('{} ({}) is held at {}, but its latest determination ({}, {}) decided {}{}.',
               position_title, position_id, classification_code, determination_id,
               decision_date, determined_classification_code,
               case direction
                   when 'higher within the tier' then format(', the higher classification of the same crosswalk tier ({})', tier)
                   when 'lower within the tier' then format(', the lower classification of the same crosswalk tier ({})', tier)
                   when 'another classification of the tier' then format(', another classification of the same crosswalk tier ({})', tier)
                   else ''
               end) as message,
        json_object(
            'held_classification', classification_code,
            'determined_classification', determined_classification_code,
            'determination_id', determination_id,
            'decision_date', decision_date,
            'count_determinations', count_determinations,
            'direction', direction,
            'held_rank', held_rank, 'determined_rank', determined_rank
        ) as evidence,
        -- grade distance: executive tiers apart (ranks 10 apart), grades below the SES, half a
        -- step within one tier
        case
            when held_rank <> determined_rank and least(held_rank, determined_rank) >= 10
                then abs(held_rank - determined_rank) / 10.0
            when held_rank <> determined_rank then abs(held_rank - determined_rank)::double
            else 0.5
        end as magnitude
    from directed
)

select * from final
