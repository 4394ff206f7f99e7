-- evidence_calibration: one row per jurisdiction, snapshot, factor, basis (absolute amounts, or
-- for resource_management the share of the agency, or the amounts within one tier: peer_tier)
-- and evidence bin: how the
-- evaluators scored the factor for positions with that much evidence. The expected score is the
-- bin's median; its usual range runs between the configured quantiles. Inspect it to see what
-- the workforce itself says a score should be (docs/scoring.md).
with evidence as (
    select * from int_position_evidence where evidence_bin is not null
),

final as (
    select
        snapshot_date,
        jurisdiction,
        factor,
        basis,
        peer_tier,
        evidence_bin,
        count(*) as count_positions,
        min(evidence_value) as evidence_low,
        max(evidence_value) as evidence_high,
        median(score) as expected_score,
        quantile_cont(score, getvariable('scoring__calibration_lower_quantile')) as expected_low,
        quantile_cont(score, getvariable('scoring__calibration_upper_quantile')) as expected_high,
        count(*) >= getvariable('scoring__calibration_min_positions') as is_usable
    from evidence
    group by all
)

select * from final
