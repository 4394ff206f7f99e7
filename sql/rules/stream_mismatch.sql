-- stream_mismatch: an executive position declares a stream its jurisdiction's framework does not
-- have, or one its band may not hold (WA: only CEO bands hold the CEO stream). An agency head is
-- appointed rather than banded under the executive framework, so a head's stream is only
-- checked against the project's vocabulary (any framework's streams): a Secretary or a public
-- entity's chief executive declaring the CEO stream is not a finding.
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

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        'medium' as severity,
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
)

select * from final
