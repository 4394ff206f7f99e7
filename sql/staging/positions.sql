-- positions: one row per position per snapshot, cleaned, typed and coded, from the incoming
-- extract file (temp view `incoming`, every column text). Rules come later: this only renames,
-- casts and normalises, and lists in `problems` every value that could not be read.
with incoming as (
    select * from incoming
),

texts as (
    -- every value trimmed once; the readers below read the trimmed text (the _of macros)
    select
        source_file,
        row_number,
        wv_text(snapshot_date) as snapshot_date,
        wv_text(jurisdiction) as jurisdiction,
        wv_text(agency_code) as agency_code,
        wv_text(agency_name) as agency_name,
        wv_text(position_id) as position_id,
        wv_text(position_title) as position_title,
        wv_text(classification) as classification,
        wv_text(stream) as stream,
        wv_text(reports_to_position_id) as reports_to_position_id,
        wv_text(occupancy) as occupancy,
        wv_text(fte) as fte,
        wv_text(staff_managed) as staff_managed,
        wv_text(budget_managed) as budget_managed,
        wv_text(locations) as locations,
        wv_text(planning_horizon_years) as planning_horizon_years,
        wv_text(position_description) as position_description,
        wv_text(aggregate_fte) as aggregate_fte
    from incoming
),

read_values as (
    select
        texts.*,
        wv_date_of(snapshot_date) as snapshot_date_read,
        wv_number_of(fte) as fte_read,
        wv_number_of(staff_managed) as staff_managed_read,
        wv_number_of(budget_managed) as budget_managed_read,   -- AUD
        wv_number_of(locations) as locations_number,
        wv_number_of(planning_horizon_years) as planning_horizon_years_read,
        wv_number_of(aggregate_fte) as aggregate_fte_read  -- total FTE of a row standing for several posts
    from texts
),

cleaned as (
    select
        source_file,
        row_number,
        snapshot_date_read as snapshot_date,
        upper(jurisdiction) as jurisdiction,
        agency_code,
        agency_name,
        position_id,
        position_title,
        classification,
        stream,
        reports_to_position_id,
        lower(occupancy) as occupancy,
        fte_read as fte,
        staff_managed_read as staff_managed,
        budget_managed_read as budget_managed,
        wv_whole(locations_number) as locations,
        planning_horizon_years_read as planning_horizon_years,
        position_description,
        aggregate_fte_read as aggregate_fte,
        list_filter([
            wv_problem('snapshot_date', snapshot_date, snapshot_date_read, wv_expect_date()),
            wv_problem('fte', fte, fte_read, wv_expect_number()),
            wv_problem('staff_managed', staff_managed, staff_managed_read, wv_expect_number()),
            wv_problem('budget_managed', budget_managed, budget_managed_read, wv_expect_money()),
            wv_problem('locations', locations, wv_whole(locations_number), wv_expect_integer()),
            wv_problem('aggregate_fte', aggregate_fte, aggregate_fte_read, wv_expect_number()),
            wv_problem('planning_horizon_years', planning_horizon_years,
                       planning_horizon_years_read, wv_expect_number())
        ], lambda problem: problem is not null) as problems
    from read_values
),

coded as (
    select
        cleaned.*,
        spellings.classification_code,
        streams.stream_code,
        crosswalk.tier,
        crosswalk.rank as grade_rank,
        coalesce(crosswalk.executive, false) as is_executive
    from cleaned
    left join classification_spellings as spellings
        on spellings.jurisdiction = cleaned.jurisdiction
        and spellings.spelling_key = wv_key(cleaned.classification)
    left join ref_stream_aliases as streams
        on streams.jurisdiction = cleaned.jurisdiction
        and streams.alias_key = wv_key(cleaned.stream)
    left join ref_crosswalk as crosswalk
        on crosswalk.classification_code = spellings.classification_code
),

final as (
    select
        snapshot_date, jurisdiction, agency_code, agency_name, position_id, position_title,
        classification, classification_code, tier, grade_rank, is_executive,
        stream, stream_code, reports_to_position_id, occupancy, fte, staff_managed,
        budget_managed, locations, planning_horizon_years, position_description, aggregate_fte,
        source_file, row_number, problems
    from coded
)

select * from final
