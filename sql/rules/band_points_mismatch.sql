-- rule: band_points_mismatch
-- title: Factor points indicate another band
-- source: 001 (Victorian work value assessment tool ranges,
--   data/frameworks/vic_work_value_tool.toml); data/scoring.toml (borderline margin, assumed
--   ranges)
-- finds: the latest determination's factor points are outside the range the held classification is
--   held against (every position with a determination, executive or not)
-- severities: high, medium, low
-- when: low within the borderline margin (scoring borderline_points) outside the range, high
--   further out; an assumed, unpublished or inferred range assumed_range_severity_steps lower
-- magnitude: points outside the held range
-- evidence: total_points, held_tier, held_range, range_basis, points_outside_held_range,
--   indicated_tier, determination_id, decision_date, factors, thresholds
-- grain: one row per position per snapshot whose points sit outside its held range
--
-- the latest determination's factor points sit outside the range the held
-- classification is held against, for every position with a determination, executive or not (a
-- position held below the executive service whose points reach an executive range is a finding).
-- Severity: up to the borderline margin of data/scoring.toml outside the range (`borderline_points`,
-- carried by int_position_points)
-- it is a low note, further out high: one margin for both. A range not published for the
-- jurisdiction (APS, WA: assumed through the crosswalk; above Band 3: no published range, only the
-- top band's floor; below the executive service: inferred) says so in message and evidence, and
-- its severity is `assumed_range_severity_steps` lower (high to medium, medium to low).
with scores as (
    select * from int_position_points
    where total_points is not null and points_outside_held_band <> 0
),

graded as (
    select
        *,
        abs(points_outside_held_band) <= borderline_points as is_borderline_miss,
        range_basis <> 'published' as is_assumed,
        case range_basis
            when 'published' then format('the {} range of {} to {}', tier, held_min_points, held_max_points)
            when 'assumed range (crosswalk)' then format('the {} range of {} to {}, an assumed range (crosswalk): the published ranges are Victorian', tier, held_min_points, held_max_points)
            when 'no published range' then format('the floor ({}) of the highest published range: {} has no published range', held_min_points, tier)
            else format('the points range of a position below the executive service, {} to {} (inferred: below {} a position is not executive)', held_min_points, held_max_points, held_max_points + 1)
        end as range_words
    from scores
),

severities as (
    select
        *,
        case when is_borderline_miss then 1 else 3 end
            - case when is_assumed then getvariable('band_points_mismatch__assumed_range_severity_steps') else 0 end
            as severity_level
    from graded
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, position_id,
        classification_code as classification,
        case when severity_level >= 3 then 'high' when severity_level = 2 then 'medium' else 'low' end
            as severity,
        format('{} ({}) is held at {}, but its determination''s factors total {} points, {} {} {}; the points {}{}.',
               position_title, position_id, classification_code, total_points,
               abs(points_outside_held_band),
               case when points_outside_held_band > 0 then 'above' else 'below' end,
               range_words,
               case
                   when not is_executive and indicated_tier like 'SES%'
                       then format('reach an executive range ({})', indicated_tier)
                   when indicated_tier = 'BELOW_SES' then 'indicate a position below the executive service'
                   else 'indicate ' || coalesce(indicated_tier, 'no band')
               end,
               case when is_borderline_miss
                   then format(' (within the borderline margin of {} points: a second look)', borderline_points)
                   else '' end) as message,
        json_object(
            'total_points', total_points,
            'held_tier', tier,
            'held_range', [held_min_points, held_max_points],
            'range_basis', range_basis,
            'is_executive', is_executive,
            'points_outside_held_range', points_outside_held_band,
            'indicated_tier', indicated_tier,
            'determination_id', determination_id,
            'decision_date', decision_date,
            'factors', json_object('knowledge', knowledge, 'relationships', relationships,
                'judgement_risk', judgement_risk, 'independence', independence,
                'strategic_change', strategic_change, 'impact', impact, 'breadth', breadth,
                'resource_management', resource_management),
            'drivers', drivers,
            'thresholds', json_object(
                'borderline_points', borderline_points,
                'assumed_range_severity_steps', getvariable('band_points_mismatch__assumed_range_severity_steps'))
        ) as evidence,
        -- points outside the held range
        abs(points_outside_held_band)::double as magnitude
    from severities
)

select * from final
