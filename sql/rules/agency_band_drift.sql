-- rule: agency_band_drift
-- title: An agency's band scores like other agencies' next band
-- source: project (Mann-Whitney U test against other agencies of the band)
-- finds: agency-level: an agency's band scores like other agencies' next band up (or down)
-- severities: medium
-- when: medium
-- magnitude: the Mann-Whitney z of the agency's totals against its peers' (absolute)
-- evidence: key, direction, agency_median, positions, peer_group, neighbour_tier, neighbour_median,
--   mann_whitney_z, thresholds
-- grain: one row per agency per band per snapshot whose scores drift
--
-- an agency's positions of one band score like other
-- agencies' positions of the next band up (or down). Tested with a one-sided Mann-Whitney U test
-- of the agency's totals against other agencies' totals of the same band (normal approximation,
-- tie-averaged ranks), within the jurisdiction, or across jurisdictions through the crosswalk
-- tier where the jurisdiction has too few peers. Flagged only when the group is large enough,
-- the test is significant, and the agency's median has moved at least min_share_of_gap of the
-- way from its band's peer median towards the neighbouring band's.
with scores as (
    select snapshot_date, jurisdiction, agency_code, agency_name, tier, total_points
    from position_scores
    where total_points is not null
),

neighbours as (
    select tier,
           lag(tier) over (order by min_points) as lower_tier,
           lead(tier) over (order by min_points) as upper_tier
    from ref_published_bands
),

scoped as (
    select 'jurisdiction' as scope, jurisdiction as scope_key, * from scores
    union all
    select 'crosswalk' as scope, 'all jurisdictions' as scope_key, * from scores
),

ranked as (
    select
        *,
        rank() over (partition by snapshot_date, scope, scope_key, tier order by total_points)
            + (count(*) over (partition by snapshot_date, scope, scope_key, tier, total_points) - 1) / 2.0
            as tied_rank,
        count(*) over (partition by snapshot_date, scope, scope_key, tier) as population
    from scoped
),

groups as (
    select snapshot_date, scope, scope_key, jurisdiction, agency_code, tier,
           any_value(agency_name) as agency_name, count(*) as positions,
           sum(tied_rank) as rank_sum, any_value(population) as population,
           median(total_points) as agency_median
    from ranked
    group by snapshot_date, scope, scope_key, jurisdiction, agency_code, tier
),

peer_medians as (
    -- other agencies' medians, for the group's band and its neighbours
    select groups.snapshot_date, groups.scope, groups.scope_key, groups.jurisdiction,
           groups.agency_code, groups.tier,
           median(peers.total_points) filter (where peers.tier = groups.tier) as peer_median,
           count(*) filter (where peers.tier = groups.tier) as peer_positions,
           median(peers.total_points) filter (where peers.tier = neighbours.upper_tier) as upper_median,
           median(peers.total_points) filter (where peers.tier = neighbours.lower_tier) as lower_median,
           any_value(neighbours.upper_tier) as upper_tier,
           any_value(neighbours.lower_tier) as lower_tier
    from groups
    join neighbours on neighbours.tier = groups.tier
    join scoped as peers
        on peers.snapshot_date = groups.snapshot_date
        and peers.scope = groups.scope
        and peers.scope_key = groups.scope_key
        and (peers.jurisdiction, peers.agency_code) <> (groups.jurisdiction, groups.agency_code)
        and peers.tier in (groups.tier, neighbours.upper_tier, neighbours.lower_tier)
    group by all
),

tested as (
    select
        groups.*, peer_medians.peer_median, peer_medians.peer_positions,
        peer_medians.upper_median, peer_medians.lower_median,
        peer_medians.upper_tier, peer_medians.lower_tier,
        (rank_sum - positions * (positions + 1) / 2.0 - positions * (population - positions) / 2.0)
            / sqrt(positions * (population - positions) * (population + 1) / 12.0) as z
    from groups
    join peer_medians
        using (snapshot_date, scope, scope_key, jurisdiction, agency_code, tier)
    where positions >= getvariable('agency_band_drift__min_positions')
        and peer_positions >= getvariable('agency_band_drift__min_peer_positions')
        and population > positions
),

preferred as (
    -- the jurisdiction's own agencies where there are enough of them; else the crosswalk
    select * from tested
    qualify row_number() over (
        partition by snapshot_date, jurisdiction, agency_code, tier
        order by scope = 'jurisdiction' desc) = 1
),

drifted as (
    select
        *,
        case
            when z >= getvariable('agency_band_drift__min_z') and upper_median is not null
                and agency_median >= peer_median
                    + getvariable('agency_band_drift__min_share_of_gap') * (upper_median - peer_median)
                then 'up'
            when z <= -getvariable('agency_band_drift__min_z') and lower_median is not null
                and agency_median <= peer_median
                    - getvariable('agency_band_drift__min_share_of_gap') * (peer_median - lower_median)
                then 'down'
        end as direction
    from preferred
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, null::varchar as position_id,
        tier as classification,
        'medium' as severity,
        round(abs(z), 2)::double as magnitude,
        format('{}''s {} median of {} points sits {} the {} peer median ({}) rather than its own band''s ({}) in {}; {} positions (Mann-Whitney z = {}).',
               agency_name, tier, agency_median,
               case when direction = 'up' then
                   case when agency_median >= upper_median then 'at or above' else 'towards' end
               else case when agency_median <= lower_median then 'at or below' else 'towards' end end,
               case direction when 'up' then upper_tier else lower_tier end,
               case direction when 'up' then upper_median else lower_median end,
               peer_median, scope_key, positions, round(z, 1)) as message,
        json_object(
            'key', scope,
            'direction', direction, 'agency_median', agency_median, 'positions', positions,
            'peer_group', json_object('scope', scope, 'of', scope_key, 'tier', tier,
                                      'positions', peer_positions, 'median', peer_median),
            'neighbour_tier', case direction when 'up' then upper_tier else lower_tier end,
            'neighbour_median', case direction when 'up' then upper_median else lower_median end,
            'mann_whitney_z', round(z, 2),
            'thresholds', json_object('min_z', getvariable('agency_band_drift__min_z'),
                'min_positions', getvariable('agency_band_drift__min_positions'),
                'min_peer_positions', getvariable('agency_band_drift__min_peer_positions'),
                'min_share_of_gap', getvariable('agency_band_drift__min_share_of_gap'))
        ) as evidence
    from drifted
    where direction is not null
)

select * from final
