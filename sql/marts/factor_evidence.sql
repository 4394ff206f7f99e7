-- factor_evidence: one row per scored executive position per snapshot per evidence-backed
-- factor: the evaluator's score beside what the calibrated evidence expects (null where the
-- evidence is missing or its bin too small to say), on absolute amounts and, for
-- resource_management, on the share of the agency's workforce and budget (share_* columns), and
-- on the amounts among the positions of the same tier (tier_* columns).
-- grain: one row per scored executive position per snapshot per evidence-backed factor
with evidence as not materialized (
    -- read by each basis below with only the rows and columns it needs, not copied once
    select * from int_position_evidence
),

calibration as (
    select * from evidence_calibration where is_usable
),

absolute as (
    select * from evidence where basis = 'absolute'
),

share as (
    select evidence.snapshot_date, evidence.jurisdiction, evidence.agency_code,
           evidence.position_id, evidence.factor,
           evidence.evidence_value as share_evidence_value,
           evidence.evidence_detail as share_evidence_detail,
           evidence.evidence_bin as share_evidence_bin,
           calibration.count_positions as share_bin_positions,
           calibration.expected_score as share_expected_score,
           calibration.expected_low as share_expected_low,
           calibration.expected_high as share_expected_high
    from evidence
    left join calibration
        using (snapshot_date, jurisdiction, factor, basis, evidence_bin)
    where evidence.basis = 'share'
),

tiered as (
    select evidence.snapshot_date, evidence.jurisdiction, evidence.agency_code,
           evidence.position_id, evidence.factor,
           evidence.evidence_bin as tier_evidence_bin,
           calibration.count_positions as tier_bin_positions,
           calibration.expected_score as tier_expected_score,
           calibration.expected_low as tier_expected_low,
           calibration.expected_high as tier_expected_high
    from evidence
    left join calibration
        using (snapshot_date, jurisdiction, factor, basis, peer_tier, evidence_bin)
    where evidence.basis = 'tier'
),

final as (
    select
        absolute.snapshot_date, absolute.jurisdiction, absolute.agency_code,
        absolute.position_id, absolute.tier, absolute.stream_code, absolute.factor,
        absolute.score, absolute.evidence_value, absolute.evidence_detail,
        absolute.evidence_bin, calibration.count_positions as bin_positions,
        calibration.expected_score, calibration.expected_low, calibration.expected_high,
        absolute.score - calibration.expected_score as score_above_expected,
        share.share_evidence_value, share.share_evidence_detail, share.share_evidence_bin,
        share.share_bin_positions, share.share_expected_score, share.share_expected_low,
        share.share_expected_high,
        tiered.tier_evidence_bin, tiered.tier_bin_positions, tiered.tier_expected_score,
        tiered.tier_expected_low, tiered.tier_expected_high
    from absolute
    left join calibration
        using (snapshot_date, jurisdiction, factor, basis, evidence_bin)
    left join share
        using (snapshot_date, jurisdiction, agency_code, position_id, factor)
    left join tiered
        using (snapshot_date, jurisdiction, agency_code, position_id, factor)
)

select * from final
