-- int_position_evidence: one row per scored executive position per snapshot per factor the
-- extract holds evidence for (resource_management, breadth, independence) per basis: the
-- evaluator's score, a single evidence value, the raw measures behind it, and the evidence bin
-- within the position's jurisdiction and snapshot (getvariable('scoring__calibration_bins') groups by
-- percent rank: about equal in size, and never splitting positions with equal evidence; fewer
-- where the group cannot fill that many with scoring__calibration_min_positions each). Basis
-- `absolute` ranks the amounts themselves; for resource_management basis `share` ranks the
-- share of the agency's workforce and budget the position manages, across tiers (seeds 000 and
-- 001: a band of a smaller agency leads a larger share of a smaller whole, as a higher band of
-- a larger one does). The agency's workforce is the larger of its largest staff_managed and
-- its positions' FTE, its budget the largest budget_managed: one aggregate per agency and
-- snapshot, no join across agencies. Basis `tier` ranks the amounts (staff and budget,
-- locations and units led, the horizon) among the positions of the same crosswalk tier and bins
-- them within the tier (peer_tier): an SES1 Director is calibrated on SES1 positions with
-- similar evidence, not on SES3 ones that lead as many units.
-- grain: one row per scored executive position per snapshot per evidence-backed factor and basis
with scores as (
    select * from position_scores where total_points is not null
),

positions as (
    select * from positions
),

agency_totals as (
    select snapshot_date, jurisdiction, agency_code,
           greatest(max(staff_managed), sum(coalesce(fte, 1))) as agency_staff,
           max(budget_managed) as agency_budget
    from positions
    group by all
),

shares as (
    select
        scores.*,
        agency_totals.agency_staff, agency_totals.agency_budget,
        scores.staff_managed / nullif(agency_totals.agency_staff, 0) as staff_share,
        scores.budget_managed / nullif(agency_totals.agency_budget, 0) as budget_share
    from scores
    left join agency_totals
        using (snapshot_date, jurisdiction, agency_code)
),

units_led as (
    -- "functions under the position": direct reports that themselves lead staff
    select snapshot_date, jurisdiction, agency_code, reports_to_position_id as position_id,
           count(*) filter (where staff_managed > 0) as count_units_led
    from positions
    where reports_to_position_id is not null
    group by all
),

ranked as (
    -- percentile ranks within jurisdiction and snapshot, among positions that have the measure
    select
        shares.*,
        coalesce(units_led.count_units_led, 0) as count_units_led,
        case when staff_share is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, staff_share is null
            order by staff_share) end as staff_share_rank,
        case when budget_share is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, budget_share is null
            order by budget_share) end as budget_share_rank,
        case when staff_managed is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, staff_managed is null
            order by staff_managed) end as staff_rank,
        case when budget_managed is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, budget_managed is null
            order by budget_managed) end as budget_rank,
        case when locations is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, locations is null
            order by locations) end as locations_rank,
        percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction
            order by coalesce(units_led.count_units_led, 0)) as units_rank,
        -- the same ranks among the positions of the same tier (basis `tier`)
        case when staff_managed is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, shares.tier, staff_managed is null
            order by staff_managed) end as staff_tier_rank,
        case when budget_managed is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, shares.tier, budget_managed is null
            order by budget_managed) end as budget_tier_rank,
        case when locations is not null then percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, shares.tier, locations is null
            order by locations) end as locations_tier_rank,
        percent_rank() over (
            partition by shares.snapshot_date, shares.jurisdiction, shares.tier
            order by coalesce(units_led.count_units_led, 0)) as units_tier_rank
    from shares
    left join units_led
        using (snapshot_date, jurisdiction, agency_code, position_id)
),

long as (
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'resource_management' as factor, 'absolute' as basis, resource_management as score,
           (coalesce(staff_rank, budget_rank) + coalesce(budget_rank, staff_rank)) / 2 as evidence_value,
           json_object('staff_managed', staff_managed, 'budget_managed', budget_managed) as evidence_detail
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'resource_management', 'share', resource_management,
           (coalesce(staff_share_rank, budget_share_rank)
            + coalesce(budget_share_rank, staff_share_rank)) / 2,
           json_object('staff_share', round(staff_share, 4), 'budget_share', round(budget_share, 4),
                       'agency_staff', agency_staff, 'agency_budget', agency_budget)
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'breadth', 'absolute', breadth,
           case when locations_rank is not null then (locations_rank + units_rank) / 2 end,
           json_object('locations', locations, 'units_led', count_units_led)
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'independence', 'absolute', independence,
           planning_horizon_years,
           json_object('planning_horizon_years', planning_horizon_years)
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'resource_management', 'tier', resource_management,
           (coalesce(staff_tier_rank, budget_tier_rank) + coalesce(budget_tier_rank, staff_tier_rank)) / 2,
           json_object('staff_managed', staff_managed, 'budget_managed', budget_managed)
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'breadth', 'tier', breadth,
           case when locations_tier_rank is not null then (locations_tier_rank + units_tier_rank) / 2 end,
           json_object('locations', locations, 'units_led', count_units_led)
    from ranked
    union all
    select snapshot_date, jurisdiction, agency_code, position_id, tier, stream_code,
           'independence', 'tier', independence,
           planning_horizon_years,
           json_object('planning_horizon_years', planning_horizon_years)
    from ranked
),

tiered as (
    -- the tier a basis is calibrated within: `tier` only (null: the jurisdiction)
    select *, case when basis = 'tier' then tier end as peer_tier
    from long
    where score is not null
),

peers as (
    -- each position's peer group for binning: its jurisdiction, snapshot, factor, basis and
    -- peer_tier; as many bins as the group fills with min_positions_per_bin each (at most
    -- `bins`, at least one): a small tier is split in two, not left without an estimate
    select
        *,
        percent_rank() over (
            partition by snapshot_date, jurisdiction, factor, basis, peer_tier,
                         evidence_value is null
            order by evidence_value) as evidence_rank,
        greatest(1, least(getvariable('scoring__calibration_bins'),
            floor(count(*) over (
                partition by snapshot_date, jurisdiction, factor, basis, peer_tier,
                             evidence_value is null)
                / getvariable('scoring__calibration_min_positions'))))::integer as peer_bins
    from tiered
),

final as (
    select
        * exclude (evidence_rank, peer_bins),
        -- bins by percent rank, so positions with equal evidence always share a bin (ntile
        -- would split ties at random)
        case when evidence_value is not null then
            least(peer_bins, 1 + floor(peer_bins * evidence_rank)::integer) end as evidence_bin
    from peers
)

select * from final
