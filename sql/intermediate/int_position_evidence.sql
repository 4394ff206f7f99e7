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

positions as not materialized (
    -- read by each of its two readers with only the columns it needs, not copied once
    select * from positions
),

agency_totals as (
    -- FTE summed as decimals: the same total whatever order the threads add them in
    select snapshot_date, jurisdiction, agency_code,
           greatest(max(staff_managed), sum(coalesce(fte, 1)::decimal(18, 6))::double)
               as agency_staff,
           max(budget_managed) as agency_budget
    from positions
    group by all
),

units_led as (
    -- "functions under the position": direct reports that themselves lead staff, counted for
    -- the scored positions only (a semi join first, so that not every manager is grouped; a
    -- position none of whose reports leads staff has no row here, and counts 0 below)
    select snapshot_date, jurisdiction, agency_code, reports_to_position_id as position_id,
           count(*) as count_units_led
    from positions
    where staff_managed > 0
        and (snapshot_date, jurisdiction, agency_code, reports_to_position_id)
            in (select snapshot_date, jurisdiction, agency_code, position_id from scores)
    group by all
),

measured as materialized (
    -- each scored position once with its measures, numbered (row): the ranks and bins below
    -- carry that number rather than the text keys and the evidence detail, which are joined
    -- back at the end (a window's cost grows with the width of the rows it sorts)
    select
        row_number() over () as row,
        scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
        scores.tier, scores.stream_code,
        scores.resource_management, scores.breadth, scores.independence,
        scores.staff_managed, scores.budget_managed, scores.locations,
        scores.planning_horizon_years,
        agency_totals.agency_staff, agency_totals.agency_budget,
        scores.staff_managed / nullif(agency_totals.agency_staff, 0) as staff_share,
        scores.budget_managed / nullif(agency_totals.agency_budget, 0) as budget_share,
        coalesce(units_led.count_units_led, 0) as count_units_led,
        -- the peer groups as numbers, which windows partition by faster than by text: the
        -- jurisdiction and snapshot, and the tier within them
        dense_rank() over (order by scores.snapshot_date, scores.jurisdiction)
            as jurisdiction_group,
        dense_rank() over (order by scores.snapshot_date, scores.jurisdiction, scores.tier)
            as tier_group
    from scores
    left join agency_totals
        using (snapshot_date, jurisdiction, agency_code)
    left join units_led
        using (snapshot_date, jurisdiction, agency_code, position_id)
),

measure_ranks as (
    -- percentile ranks, one row per position and measure it has (measure 1-6 ranked within
    -- the jurisdiction and snapshot, 7-10 within the tier there): one window for all of them
    select row, ranked.measure,
           percent_rank() over (partition by ranked.measure, ranked.peer_group
                                order by ranked.value) as measure_rank
    from (
        select row, unnest([
            {'measure': 1, 'peer_group': jurisdiction_group, 'value': staff_share},
            {'measure': 2, 'peer_group': jurisdiction_group, 'value': budget_share},
            {'measure': 3, 'peer_group': jurisdiction_group, 'value': staff_managed},
            {'measure': 4, 'peer_group': jurisdiction_group, 'value': budget_managed},
            {'measure': 5, 'peer_group': jurisdiction_group, 'value': locations},
            {'measure': 6, 'peer_group': jurisdiction_group, 'value': count_units_led},
            {'measure': 7, 'peer_group': tier_group, 'value': staff_managed},
            {'measure': 8, 'peer_group': tier_group, 'value': budget_managed},
            {'measure': 9, 'peer_group': tier_group, 'value': locations},
            {'measure': 10, 'peer_group': tier_group, 'value': count_units_led}
        ]) as ranked
        from measured
    )
    where ranked.value is not null
),

ranked as (
    -- the ranks back on one row per position (null where the position lacks the measure)
    select
        measured.row, measured.jurisdiction_group, measured.tier_group, measured.tier,
        measured.resource_management, measured.breadth, measured.independence,
        measured.planning_horizon_years,
        ranks.staff_share_rank, ranks.budget_share_rank, ranks.staff_rank, ranks.budget_rank,
        ranks.locations_rank, ranks.units_rank, ranks.staff_tier_rank, ranks.budget_tier_rank,
        ranks.locations_tier_rank, ranks.units_tier_rank
    from measured
    left join (
        select
            row,
            any_value(measure_rank) filter (where measure = 1) as staff_share_rank,
            any_value(measure_rank) filter (where measure = 2) as budget_share_rank,
            any_value(measure_rank) filter (where measure = 3) as staff_rank,
            any_value(measure_rank) filter (where measure = 4) as budget_rank,
            any_value(measure_rank) filter (where measure = 5) as locations_rank,
            any_value(measure_rank) filter (where measure = 6) as units_rank,
            any_value(measure_rank) filter (where measure = 7) as staff_tier_rank,
            any_value(measure_rank) filter (where measure = 8) as budget_tier_rank,
            any_value(measure_rank) filter (where measure = 9) as locations_tier_rank,
            any_value(measure_rank) filter (where measure = 10) as units_tier_rank
        from measure_ranks
        group by row
    ) as ranks using (row)
),

long as (
    -- one row per factor and basis where the evaluator scored the factor (peer_tier: the tier
    -- a basis is calibrated within, `tier` only; null: the jurisdiction). peer_group numbers
    -- the group binned together: the jurisdiction's or the tier's number times 8 plus the
    -- factor and basis (1-7)
    select row, 'resource_management' as factor, 'absolute' as basis,
           resource_management as score,
           (coalesce(staff_rank, budget_rank) + coalesce(budget_rank, staff_rank)) / 2
               as evidence_value,
           null::varchar as peer_tier, jurisdiction_group * 8 + 1 as peer_group
    from ranked where resource_management is not null
    union all
    select row, 'resource_management', 'share', resource_management,
           (coalesce(staff_share_rank, budget_share_rank)
            + coalesce(budget_share_rank, staff_share_rank)) / 2,
           null, jurisdiction_group * 8 + 2
    from ranked where resource_management is not null
    union all
    select row, 'breadth', 'absolute', breadth,
           case when locations_rank is not null then (locations_rank + units_rank) / 2 end,
           null, jurisdiction_group * 8 + 3
    from ranked where breadth is not null
    union all
    select row, 'independence', 'absolute', independence, planning_horizon_years,
           null, jurisdiction_group * 8 + 4
    from ranked where independence is not null
    union all
    select row, 'resource_management', 'tier', resource_management,
           (coalesce(staff_tier_rank, budget_tier_rank)
            + coalesce(budget_tier_rank, staff_tier_rank)) / 2,
           tier, tier_group * 8 + 5
    from ranked where resource_management is not null
    union all
    select row, 'breadth', 'tier', breadth,
           case when locations_tier_rank is not null
               then (locations_tier_rank + units_tier_rank) / 2 end,
           tier, tier_group * 8 + 6
    from ranked where breadth is not null
    union all
    select row, 'independence', 'tier', independence, planning_horizon_years,
           tier, tier_group * 8 + 7
    from ranked where independence is not null
),

peers as (
    -- each position's peer group for binning: its jurisdiction, snapshot, factor, basis and
    -- peer_tier (peer_group); as many bins as the group fills with min_positions_per_bin each
    -- (at most `bins`, at least one): a small tier is split in two, not left without an estimate
    select
        *,
        percent_rank() over (
            partition by peer_group, evidence_value is null
            order by evidence_value) as evidence_rank,
        greatest(1, least(getvariable('scoring__calibration_bins'),
            floor(count(*) over (partition by peer_group, evidence_value is null)
                / getvariable('scoring__calibration_min_positions'))))::integer as peer_bins
    from long
),

final as (
    select
        measured.snapshot_date, measured.jurisdiction, measured.agency_code,
        measured.position_id, measured.tier, measured.stream_code,
        peers.factor, peers.basis, peers.score, peers.evidence_value,
        case
            when peers.factor = 'resource_management' and peers.basis = 'share' then json_object(
                'staff_share', round(measured.staff_share, 4),
                'budget_share', round(measured.budget_share, 4),
                'agency_staff', measured.agency_staff, 'agency_budget', measured.agency_budget)
            when peers.factor = 'resource_management' then json_object(
                'staff_managed', measured.staff_managed, 'budget_managed', measured.budget_managed)
            when peers.factor = 'breadth' then json_object(
                'locations', measured.locations, 'units_led', measured.count_units_led)
            else json_object('planning_horizon_years', measured.planning_horizon_years)
        end as evidence_detail,
        peers.peer_tier,
        -- bins by percent rank, so positions with equal evidence always share a bin (ntile
        -- would split ties at random)
        case when peers.evidence_value is not null then
            least(peers.peer_bins, 1 + floor(peers.peer_bins * peers.evidence_rank)::integer)
        end as evidence_bin
    from peers
    join measured using (row)
)

select * from final
