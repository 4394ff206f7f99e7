-- rule: agency_band_drift
-- title: An agency's band scores like other agencies' band above or below, or shifted inside it
-- source: project (Mann-Whitney U test against the rest of the band group)
-- finds: agency-level: an agency's band scores like the band above or below (under the lowest
--   band, towards the bottom of its range where executive work ends), or is shifted inside it
-- severities: medium
-- when: medium
-- magnitude: points between the agency's median and the band group's median
-- evidence: key, direction, agency_median, positions, peer_group, neighbour_tier, neighbour_median,
--   shift_points, mann_whitney_u, mann_whitney_z, effect_size, thresholds
-- grain: one row per agency per band per snapshot whose scores drift or shift
--
-- an agency's positions of one band score like the band above
-- or below, or are shifted inside their range. Tested with a one-sided Mann-Whitney U test of
-- the agency's totals against the rest of the band group (every other agency's totals of the
-- band, within the jurisdiction, or across jurisdictions through the crosswalk tier where the
-- jurisdiction has too few peers), from ranks over the whole group (tie-averaged, with the
-- tie-corrected variance): U = R - n(n+1)/2. Cost is linear in rows: every figure comes from
-- per-group aggregates (ranks, counts, sums, medians), never from a join of one agency to the
-- others' rows. Where the agency's median sits is read against the band group's median (every
-- agency's positions, the agency's own included: an agency that is most of its band is not
-- drifting from itself, and a drifting neighbour cannot make the others look low). Flagged only
-- when the agency has min_positions of the band and the rest min_peer_positions: `up`/`down`
-- when its median has moved min_share_of_gap of the way from the band's median to the
-- neighbouring band's (below the lowest band: to the bottom of its range, where executive work
-- ends); `shift` when it has not, but moved min_shift_points with a rank-biserial effect
-- (2U/(n m) - 1) of at least min_effect_size.
with scores as (
    select snapshot_date, jurisdiction, agency_code, agency_name, tier, total_points
    from position_scores
    where total_points is not null
),

neighbours as (
    select tier, min_points, max_points,
           lag(tier) over (order by min_points) as lower_tier,
           lead(tier) over (order by min_points) as upper_tier
    from ref_published_bands
),

scoped as (
    select 'jurisdiction' as scope, jurisdiction as scope_key, * from scores
    union all
    select 'crosswalk' as scope, 'all jurisdictions' as scope_key, * from scores
),

value_counts as (
    -- how many positions of each band group share each total (the ties)
    select snapshot_date, scope, scope_key, tier, total_points, count(*) as t
    from scoped
    group by all
),

value_ranks as (
    -- each total's rank in its band group, ties given their mean rank: ranked once per total,
    -- not once per position (a window over every position sorts them all)
    select
        *,
        (sum(t) over (partition by snapshot_date, scope, scope_key, tier order by total_points)
            - t + 1)::bigint + (t - 1) / 2.0 as tied_rank,
        (sum(t) over (partition by snapshot_date, scope, scope_key, tier))::bigint as population
    from value_counts
),

ordered as (
    select scoped.*, value_ranks.tied_rank, value_ranks.population
    from scoped
    join value_ranks using (snapshot_date, scope, scope_key, tier, total_points)
),

band_groups as (
    -- the whole band group: its median and the ties' correction sum(t^3 - t)
    select snapshot_date, scope, scope_key, tier, band_median, ties
    from (select snapshot_date, scope, scope_key, tier, median(total_points) as band_median
          from scoped
          group by all) as medians
    join (select snapshot_date, scope, scope_key, tier, sum(t * t * t - t) as ties
          from value_counts
          group by all) as tied
        using (snapshot_date, scope, scope_key, tier)
),

agencies as (
    select snapshot_date, scope, scope_key, jurisdiction, agency_code, tier,
           any_value(agency_name) as agency_name, count(*) as positions,
           sum(tied_rank) as rank_sum, median(total_points) as agency_median,
           any_value(population) as population
    from ordered
    group by snapshot_date, scope, scope_key, jurisdiction, agency_code, tier
),

compared as (
    -- the band group's median, and the neighbouring bands' medians
    select
        a.*, own_band.band_median as peer_median, a.population - a.positions as peer_positions,
        own_band.ties, n.upper_tier, n.lower_tier, n.min_points,
        upper_band.band_median as upper_median, lower_band.band_median as lower_median
    from agencies as a
    join band_groups as own_band using (snapshot_date, scope, scope_key, tier)
    join neighbours as n on n.tier = a.tier
    left join band_groups as upper_band
        on (upper_band.snapshot_date, upper_band.scope, upper_band.scope_key, upper_band.tier)
           = (a.snapshot_date, a.scope, a.scope_key, n.upper_tier)
    left join band_groups as lower_band
        on (lower_band.snapshot_date, lower_band.scope, lower_band.scope_key, lower_band.tier)
           = (a.snapshot_date, a.scope, a.scope_key, n.lower_tier)
    where a.population > a.positions
),

tested as (
    select
        *,
        rank_sum - positions * (positions + 1) / 2.0 as u,
        (rank_sum - positions * (positions + 1) / 2.0 - positions * peer_positions / 2.0)
            / sqrt(positions * peer_positions / 12.0
                   * ((population + 1) - ties / (population * (population - 1.0)))) as z,
        2 * (rank_sum - positions * (positions + 1) / 2.0) / (positions * peer_positions) - 1
            as effect_size,
        -- below the lowest band the reference is the bottom of its range: executive work ends
        coalesce(lower_median, min_points) as lower_reference,
        case when lower_median is null then 'below ' || tier else lower_tier end as lower_name
    from compared
    where positions >= getvariable('agency_band_drift__min_positions')
        and peer_positions >= getvariable('agency_band_drift__min_peer_positions')
        and ties < population * (population - 1.0) * (population + 1)
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
            when z <= -getvariable('agency_band_drift__min_z')
                and agency_median <= peer_median
                    - getvariable('agency_band_drift__min_share_of_gap') * (peer_median - lower_reference)
                then 'down'
            when abs(z) >= getvariable('agency_band_drift__min_z')
                and abs(agency_median - peer_median) >= getvariable('agency_band_drift__min_shift_points')
                and abs(effect_size) >= getvariable('agency_band_drift__min_effect_size')
                then 'shift'
        end as direction
    from preferred
),

described as (
    select
        *,
        case direction when 'up' then upper_tier when 'down' then lower_name end as neighbour,
        case direction when 'up' then upper_median when 'down' then lower_reference end
            as neighbour_median,
        abs(agency_median - peer_median) as shift_points
    from drifted
    where direction is not null
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, null::varchar as position_id,
        tier as classification,
        'medium' as severity,
        case when direction = 'shift' then
            format('{}''s {} median of {} points sits {} points {} its band''s median ({}) in {}, inside the range: a systematic shift; {} positions against {} (rank-biserial effect {}, Mann-Whitney z = {}).',
                   agency_name, tier, agency_median, shift_points,
                   case when z > 0 then 'above' else 'below' end, peer_median, scope_key,
                   positions, peer_positions, round(effect_size, 2), round(z, 1))
        else
            format('{}''s {} median of {} points sits {} the {} rather than its own band''s ({}) in {}; {} positions (Mann-Whitney z = {}).',
                   agency_name, tier, agency_median,
                   case when direction = 'up' then
                       case when agency_median >= neighbour_median then 'at or above' else 'towards' end
                   else case when agency_median <= neighbour_median then 'at or below' else 'towards' end end,
                   case when direction = 'down' and lower_median is null
                       then format('bottom of the {} range ({} points), where executive work ends,',
                                   tier, neighbour_median)
                       else format('{} median ({})', neighbour, neighbour_median) end,
                   peer_median, scope_key, positions, round(z, 1))
        end as message,
        json_object(
            'key', scope,
            'direction', direction, 'agency_median', agency_median, 'positions', positions,
            'peer_group', json_object('scope', scope, 'of', scope_key, 'tier', tier,
                                      'positions', peer_positions, 'median', peer_median),
            'neighbour_tier', neighbour,
            'neighbour_median', neighbour_median,
            'shift_points', shift_points,
            'mann_whitney_u', u,
            'mann_whitney_z', round(z, 2),
            'effect_size', round(effect_size, 3),
            'thresholds', json_object('min_z', getvariable('agency_band_drift__min_z'),
                'min_positions', getvariable('agency_band_drift__min_positions'),
                'min_peer_positions', getvariable('agency_band_drift__min_peer_positions'),
                'min_share_of_gap', getvariable('agency_band_drift__min_share_of_gap'),
                'min_shift_points', getvariable('agency_band_drift__min_shift_points'),
                'min_effect_size', getvariable('agency_band_drift__min_effect_size'))
        ) as evidence,
        shift_points as magnitude
    from described
)

select * from final
