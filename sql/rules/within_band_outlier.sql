-- within_band_outlier: a position's eight-factor profile is far from its peers': the same tier
-- and stream in its jurisdiction (or, where those are too few, the same tier and stream across
-- jurisdictions through the crosswalk). Distance is the root-mean-square robust z-score over the
-- factors, each factor's z measured from the peers' median in units of their scaled median
-- absolute deviation (floored at min_mad_points, so homogeneous peers do not divide by zero).
with scores as (
    select * from position_scores where total_points is not null and stream_code is not null
),

factors as (
    unpivot (select snapshot_date, jurisdiction, agency_code, position_id, position_title,
                    classification_code, tier, stream_code, knowledge, relationships,
                    judgement_risk, independence, strategic_change, impact, breadth,
                    resource_management from scores)
    on knowledge, relationships, judgement_risk, independence, strategic_change, impact,
       breadth, resource_management
    into name factor value score
),

local_peers as (
    select snapshot_date, jurisdiction, tier, stream_code, factor,
           count(*) as peers, median(score) as peer_median, mad(score) as peer_mad
    from factors
    group by all
),

wide_peers as (
    select snapshot_date, tier, stream_code, factor,
           count(*) as peers, median(score) as peer_median, mad(score) as peer_mad
    from factors
    group by all
),

compared as (
    select
        factors.*,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then 'jurisdiction' else 'crosswalk' end as peer_scope,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peers else wide_peers.peers end as peers,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peer_median else wide_peers.peer_median end as peer_median,
        case when local_peers.peers >= getvariable('within_band_outlier__min_peers')
            then local_peers.peer_mad else wide_peers.peer_mad end as peer_mad
    from factors
    join local_peers using (snapshot_date, jurisdiction, tier, stream_code, factor)
    join wide_peers using (snapshot_date, tier, stream_code, factor)
),

z_scores as (
    select
        *,
        (score - peer_median)
            / greatest(1.4826 * peer_mad, getvariable('within_band_outlier__min_mad_points')) as z
    from compared
    where peers >= getvariable('within_band_outlier__min_peers')
),

profiles as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        any_value(position_title) as position_title,
        any_value(classification_code) as classification_code,
        any_value(tier) as tier, any_value(stream_code) as stream_code,
        any_value(peer_scope) as peer_scope, any_value(peers) as peers,
        sqrt(avg(z * z)) as distance,
        string_agg(format('{} {} (peers {})', factor, score, peer_median), ', '
                   order by abs(z) desc, factor) filter (where abs(z) >= 2) as far_factors,
        json_group_object(factor, json_object('score', score, 'peer_median', peer_median,
                                              'z', round(z, 2))) as factor_detail
    from z_scores
    group by snapshot_date, jurisdiction, agency_code, position_id
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when distance >= getvariable('within_band_outlier__high_threshold') then 'high'
            else 'medium' end as severity,
        format('{} ({}) has a factor profile far from its {} {} {} peers{} (distance {}, threshold {}): {}.',
               position_title, position_id, peers, tier, stream_code,
               case peer_scope when 'jurisdiction' then ' in ' || jurisdiction
                   else ' across jurisdictions' end,
               round(distance, 1), getvariable('within_band_outlier__threshold'),
               coalesce(far_factors, 'every factor a little off')) as message,
        json_object(
            'distance', round(distance, 2),
            'threshold', getvariable('within_band_outlier__threshold'),
            'thresholds', json_object(
                'threshold', getvariable('within_band_outlier__threshold'),
                'high_threshold', getvariable('within_band_outlier__high_threshold'),
                'min_peers', getvariable('within_band_outlier__min_peers'),
                'min_mad_points', getvariable('within_band_outlier__min_mad_points')),
            'peer_group', json_object('scope', peer_scope, 'jurisdiction',
                                      case when peer_scope = 'jurisdiction' then jurisdiction end,
                                      'tier', tier, 'stream', stream_code, 'positions', peers),
            'factors', factor_detail
        ) as evidence
    from profiles
    where distance >= getvariable('within_band_outlier__threshold')
)

select * from final
