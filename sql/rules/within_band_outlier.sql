-- rule: within_band_outlier
-- title: Factor profile far from band and stream peers
-- source: project (robust z of the profile's shape; peers by tier and stream)
-- finds: a total inside the held band whose eight-factor profile is shaped unlike its peers' (same
--   tier and stream in the jurisdiction; across jurisdictions by crosswalk tier when fewer than
--   min_peers)
-- severities: high, medium
-- when: medium from threshold, high from high_threshold
-- magnitude: distance: root mean square robust z of the profile's shape against its peers
-- evidence: distance, threshold, thresholds, peer_group, factors
-- grain: one row per position per snapshot whose profile is an outlier
--
-- a position whose eight-factor profile has a different SHAPE from its
-- peers': the same tier and stream in its jurisdiction (or, where those are too few, the same
-- tier and stream across jurisdictions through the crosswalk). Only totals inside the held
-- band are judged (a total outside it is band_points_mismatch's finding). The shape is each
-- factor's score less the position's own mean factor score, so a position scored a little
-- higher or lower overall is not an outlier; only a profile that rises and falls where its
-- peers' do not is. Each factor's z is measured from the peers' median shape in units of their
-- scaled median absolute deviation (floored at min_mad_points, so homogeneous peers do not
-- divide by zero); the distance is the root mean square of the eight z-scores, and at least
-- min_far_factors factors must each sit 2 or more from their peers (one odd factor is the
-- evidence rules' business, not a different profile).
with shaped as not materialized (
    -- each factor's score and shape (the score less the position's own mean factor score); read
    -- where it is used: a copy of every factor row costs more than reading the table again
    select * from int_factor_shapes
),

local_peers as (
    -- each factor's peers: the same tier and stream in the jurisdiction
    select snapshot_date, jurisdiction, tier, stream_code, factor,
           count(*) as peers, median(score) as peer_median, median(shape) as peer_shape,
           mad(shape) as peer_mad
    from shaped
    group by all
),

wide_peers as (
    -- the same tier and stream across jurisdictions, only where some jurisdiction has fewer
    -- than min_peers (median and mad cost most: the other groups' are never read)
    select snapshot_date, tier, stream_code, factor,
           count(*) as peers, median(score) as peer_median, median(shape) as peer_shape,
           mad(shape) as peer_mad
    from shaped
    semi join (
        select snapshot_date, tier, stream_code, factor from local_peers
        where peers < getvariable('within_band_outlier__min_peers')
    ) as too_few using (snapshot_date, tier, stream_code, factor)
    group by all
),

peer_groups as (
    -- the peers each jurisdiction's tier and stream is judged against: its own when there are
    -- min_peers of them, else the tier and stream across jurisdictions; else none
    select
        local_peers.snapshot_date, local_peers.jurisdiction, local_peers.tier,
        local_peers.stream_code, local_peers.factor,
        local_peers.peers >= getvariable('within_band_outlier__min_peers') as is_local,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peers else wide_peers.peers end as peers,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peer_median else wide_peers.peer_median end as peer_median,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peer_shape else wide_peers.peer_shape end as peer_shape,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peer_mad else wide_peers.peer_mad end as peer_mad
    from local_peers
    left join wide_peers using (snapshot_date, tier, stream_code, factor)
    where local_peers.peers >= getvariable('within_band_outlier__min_peers')
        or wide_peers.peers >= getvariable('within_band_outlier__min_peers')
),

z_scores as not materialized (
    -- not materialized either: joining twice (the second time for the outliers' factors only)
    -- costs less than a copy of every factor row
    select
        shaped.*, peer_groups.is_local, peer_groups.peers, peer_groups.peer_median,
        peer_groups.peer_shape, peer_groups.peer_mad,
        (shape - peer_shape)
            / greatest(1.4826 * peer_mad, getvariable('within_band_outlier__min_mad_points')) as z
    from shaped
    join peer_groups using (snapshot_date, jurisdiction, tier, stream_code, factor)
),

profiles as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        sqrt(avg(z * z)) as distance,
        count(*) filter (where abs(z) >= 2) as far_factors
    from z_scores
    group by snapshot_date, jurisdiction, agency_code, position_id
),

outliers as (
    select * from profiles
    where distance >= getvariable('within_band_outlier__threshold')
        and far_factors >= getvariable('within_band_outlier__min_far_factors')
),

details as (
    -- the factors of the outliers only, written out for the message and the evidence
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        any_value(position_title) as position_title,
        any_value(classification_code) as classification_code,
        any_value(tier) as tier, any_value(stream_code) as stream_code,
        bool_and(is_local) as is_local, any_value(peers) as peers,
        string_agg(format('{} {} (peers {})', factor, score, peer_median), ', '
                   order by abs(z) desc, factor) filter (where abs(z) >= 2) as far_detail,
        -- one object per factor, keyed by factor in name order (the same order on every run)
        to_json(map_from_entries(list(struct_pack(
            k := factor,
            v := json_object('score', score, 'peer_median', peer_median,
                             'shape', round(shape, 2), 'peer_shape', round(peer_shape, 2),
                             'z', round(z, 2))) order by factor))) as factor_detail
    from z_scores
    semi join outliers using (snapshot_date, jurisdiction, agency_code, position_id)
    group by snapshot_date, jurisdiction, agency_code, position_id
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when distance >= getvariable('within_band_outlier__high_threshold') then 'high'
            else 'medium' end as severity,
        round(distance, 2)::double as magnitude,
        format('{} ({}) has a factor profile shaped unlike its {} {} {} peers{} (distance {}, threshold {}): {}.',
               position_title, position_id, peers, tier, stream_code,
               case when is_local then ' in ' || jurisdiction else ' across jurisdictions' end,
               round(distance, 1), getvariable('within_band_outlier__threshold'),
               far_detail) as message,
        json_object(
            'distance', round(distance, 2),
            'threshold', getvariable('within_band_outlier__threshold'),
            'far_factors', far_factors,
            'peer_group', json_object('scope', case when is_local then 'jurisdiction'
                                                   else 'crosswalk' end,
                                      'jurisdiction', case when is_local then jurisdiction end,
                                      'tier', tier, 'stream', stream_code, 'positions', peers),
            'factors', factor_detail,
            'thresholds', json_object(
                'distance', getvariable('within_band_outlier__threshold'),
                'high_distance', getvariable('within_band_outlier__high_threshold'),
                'min_far_factors', getvariable('within_band_outlier__min_far_factors'),
                'min_peers', getvariable('within_band_outlier__min_peers'),
                'min_mad_points', getvariable('within_band_outlier__min_mad_points'))
        ) as evidence
    from outliers
    join details using (snapshot_date, jurisdiction, agency_code, position_id)
)

select * from final
