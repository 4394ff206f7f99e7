-- factor_evidence: one row per scored executive position per snapshot per evidence-backed
-- factor: the evaluator's score beside what the calibrated evidence expects (null where the
-- evidence is missing or its bin too small to say).
with evidence as (
    select * from int_position_evidence
),

calibration as (
    select * from evidence_calibration where is_usable
),

final as (
    select
        evidence.snapshot_date, evidence.jurisdiction, evidence.agency_code,
        evidence.position_id, evidence.tier, evidence.stream_code, evidence.factor,
        evidence.score, evidence.evidence_value, evidence.evidence_detail,
        evidence.evidence_bin, calibration.count_positions as bin_positions,
        calibration.expected_score, calibration.expected_low, calibration.expected_high,
        evidence.score - calibration.expected_score as score_above_expected
    from evidence
    left join calibration
        using (snapshot_date, jurisdiction, factor, evidence_bin)
)

select * from final
