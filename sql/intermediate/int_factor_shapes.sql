-- int_factor_shapes: one row per factor of each position whose determination is scored, whose
-- total lies inside its held band and that declares a stream: the factor's score and its shape,
-- the score less the position's own mean factor score (total_points, the sum of the eight
-- factors, over eight), so that a position scored a little higher or lower overall has the
-- same shape. The profile rules (within_band_outlier, stream_mismatch) read it, built once.
with scores as (
    select * from position_scores
    where total_points is not null and stream_code is not null and points_outside_held_band = 0
),

factors as (
    unpivot (select snapshot_date, jurisdiction, agency_code, position_id, position_title,
                    classification_code, tier, stream_code, total_points / 8 as mean_score,
                    knowledge, relationships, judgement_risk, independence, strategic_change,
                    impact, breadth, resource_management from scores)
    on knowledge, relationships, judgement_risk, independence, strategic_change, impact,
       breadth, resource_management
    into name factor value score
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id, position_title,
        classification_code, tier, stream_code, factor, score,
        score - mean_score as shape
    from factors
)

select * from final
