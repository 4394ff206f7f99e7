-- rule: stream_mismatch
-- title: Stream the jurisdiction's framework does not have
-- source: 000, 001, 004 (the frameworks' work streams, data/frameworks/)
-- finds: a stream the jurisdiction's framework lacks, or one the band may not hold (WA CEO stream);
--   and, as a note, a factor profile that fits another stream far better
-- severities: medium, low
-- when: medium; the profile note low
-- magnitude: a stream the framework lacks: 1; the profile note: points (RMS) from the declared
--   stream's typical shape
-- evidence: kind, stream, stream_code, jurisdiction_streams, band_streams
-- grain: one row per position per snapshot per kind of stream finding
--
-- an executive position declares a stream its jurisdiction's framework does not
-- have, or one its band may not hold (WA: only CEO bands hold the CEO stream). An agency head is
-- appointed rather than banded under the executive framework, so a head's stream is only
-- checked against the project's vocabulary (any framework's streams): a Secretary or a public
-- entity's chief executive declaring the CEO stream is not a finding.
-- And a low-severity note where the factor profile fits another stream far better: the
-- profile's shape (scores less their own mean) lies at least profile_min_distance points (root
-- mean square over the eight factors) from the median shape of its declared stream's positions
-- of the same tier and jurisdiction, and at most profile_max_ratio of that from another
-- stream's; both streams need profile_min_peers scored positions.
with positions as (
    select * from positions where is_executive and stream is not null
),

jurisdiction_streams as (
    select jurisdiction, list(distinct stream_code order by stream_code) as streams
    from ref_stream_aliases
    group by jurisdiction
),

known_anywhere as (
    select distinct alias_key from ref_stream_aliases
),

band_streams as (
    select classification_code, list(stream_code order by stream_code) as allowed_streams
    from ref_band_streams
    group by classification_code
),

checked as (
    select positions.*, jurisdiction_streams.streams, band_streams.allowed_streams,
           case
               when positions.stream_code is null and positions.tier = 'HEAD'
                   and known_anywhere.alias_key is not null then null
               when positions.stream_code is null then 'unknown_stream'
               when band_streams.allowed_streams is not null
                   and not list_contains(band_streams.allowed_streams, positions.stream_code)
                   then 'not_for_band'
           end as kind
    from positions
    left join jurisdiction_streams using (jurisdiction)
    left join band_streams using (classification_code)
    left join known_anywhere on known_anywhere.alias_key = wv_key(positions.stream)
),

scores as (
    select * from position_scores
    where total_points is not null and stream_code is not null and points_outside_held_band = 0
),

shapes as not materialized (
    -- each factor's shape: its score less the position's own mean factor score (read where it is
    -- used: a copy of every factor row costs more than reading the table again)
    select snapshot_date, jurisdiction, agency_code, position_id, position_title,
           classification_code, tier, stream_code, factor, shape
    from int_factor_shapes
),

centroids as (
    select snapshot_date, jurisdiction, tier, stream_code as centroid_stream, factor,
           median(shape) as centroid, count(*) as peers
    from shapes
    group by all
),

own_distances as (
    -- each position's distance from its own stream's typical shape
    select shapes.snapshot_date, shapes.jurisdiction, shapes.agency_code, shapes.position_id,
           sqrt(avg((shapes.shape - centroids.centroid) ^ 2)) as distance,
           min(centroids.peers) as peers
    from shapes
    join centroids
        on (centroids.snapshot_date, centroids.jurisdiction, centroids.tier, centroids.factor,
            centroids.centroid_stream)
           = (shapes.snapshot_date, shapes.jurisdiction, shapes.tier, shapes.factor,
              shapes.stream_code)
    group by all
    having min(centroids.peers) >= getvariable('stream_mismatch__profile_min_peers')
),

far_from_own as (
    -- only a profile this far from its own stream's can be a note: the other streams'
    -- distances are measured for these few positions, not for every position and stream
    select * from own_distances
    where distance >= getvariable('stream_mismatch__profile_min_distance')
),

other_distances as (
    select shapes.snapshot_date, shapes.jurisdiction, shapes.agency_code, shapes.position_id,
           centroids.centroid_stream,
           sqrt(avg((shapes.shape - centroids.centroid) ^ 2)) as distance,
           min(centroids.peers) as peers
    from shapes
    semi join far_from_own using (snapshot_date, jurisdiction, agency_code, position_id)
    join centroids using (snapshot_date, jurisdiction, tier, factor)
    where centroids.centroid_stream <> shapes.stream_code
    group by all
    having min(centroids.peers) >= getvariable('stream_mismatch__profile_min_peers')
),

fits as (
    select snapshot_date, jurisdiction, agency_code, position_id,
           far_from_own.distance as own_distance, far_from_own.peers as own_peers,
           min(other_distances.distance) as best_distance,
           -- the nearest other stream; of two as near, the first by code (the same every run)
           arg_min(other_distances.centroid_stream,
                   (other_distances.distance, other_distances.centroid_stream)) as best_stream,
           arg_min(other_distances.peers,
                   (other_distances.distance, other_distances.centroid_stream)) as best_peers
    from far_from_own
    join other_distances using (snapshot_date, jurisdiction, agency_code, position_id)
    group by all
),

profile_misfits as (
    select
        scores.snapshot_date, scores.jurisdiction, scores.agency_code, scores.position_id,
        scores.classification_code as classification,
        'low' as severity,
        round(fits.own_distance, 2)::double as magnitude,
        format('{} ({}) declares the {} stream, but its factor profile is much closer to {} {} positions in {} ({} points from its stream''s typical profile, {} from theirs): check the stream.',
               scores.position_title, scores.position_id, scores.stream_code, fits.best_stream,
               scores.tier, scores.jurisdiction, round(fits.own_distance, 1),
               round(fits.best_distance, 1)) as message,
        json_object('key', 'profile', 'kind', 'profile_fits_other_stream',
                    'stream', declared.stream, 'stream_code', scores.stream_code,
                    'jurisdiction_streams', jurisdiction_streams.streams, 'band_streams', null,
                    'own_distance', round(fits.own_distance, 2),
                    'best_stream', fits.best_stream, 'best_distance', round(fits.best_distance, 2),
                    'peer_group', json_object('jurisdiction', scores.jurisdiction,
                        'tier', scores.tier, 'own_stream_positions', fits.own_peers,
                        'best_stream_positions', fits.best_peers),
                    'thresholds', json_object(
                        'profile_min_distance', getvariable('stream_mismatch__profile_min_distance'),
                        'profile_max_ratio', getvariable('stream_mismatch__profile_max_ratio'),
                        'profile_min_peers', getvariable('stream_mismatch__profile_min_peers'))
        ) as evidence
    from fits
    join scores using (snapshot_date, jurisdiction, agency_code, position_id)
    join positions as declared using (snapshot_date, jurisdiction, agency_code, position_id)
    left join jurisdiction_streams using (jurisdiction)
    where fits.own_distance >= getvariable('stream_mismatch__profile_min_distance')
        and fits.best_distance <= getvariable('stream_mismatch__profile_max_ratio') * fits.own_distance
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'medium' as severity,
        1.0::double as magnitude,
        case kind
            when 'unknown_stream' then format(
                '{} ({}) declares the stream ''{}'', which the {} framework does not have (its streams: {}).',
                position_title, position_id, stream, jurisdiction,
                array_to_string(coalesce(streams, []), ', '))
            else format('{} ({}) declares the {} stream, which a {} position may not hold (allowed: {}).',
                position_title, position_id, stream_code, classification_code,
                array_to_string(allowed_streams, ', '))
        end as message,
        json_object('kind', kind, 'stream', stream, 'stream_code', stream_code,
                    'jurisdiction_streams', streams, 'band_streams', allowed_streams) as evidence
    from checked
    where kind is not null
    union all
    select * from profile_misfits
)

select * from final
