-- peers: a third agency besides the scoped agency's two peers (DEPB, VDOG), so that the SES1
-- positions of "other agencies (combined)" come from three agencies and may be shown; every
-- other band still has other agencies' positions from fewer than three, so stays hidden.
insert into positions by name
select * from (values
    (date '2025-06-30', 'WA', 'XTRA', 'Extra Authority', 'X101', 'Director Extra', 'SES1', true),
    (date '2025-06-30', 'WA', 'XTRA', 'Extra Authority', 'X102', 'Director Extra', 'SES1', true),
    (date '2025-06-30', 'WA', 'XTRA', 'Extra Authority', 'X103', 'Director Extra', 'SES1', true)
) as extra(snapshot_date, jurisdiction, agency_code, agency_name, position_id, position_title,
           tier, is_executive);

insert into position_scores by name
select * from (values
    (date '2025-06-30', 'WA', 'XTRA', 'Extra Authority', 'X101', 'SES1', 'delivery', 30),
    (date '2025-06-30', 'WA', 'XTRA', 'Extra Authority', 'X102', 'SES1', 'delivery', 32),
    (date '2025-06-30', 'WA', 'XTRA', 'Extra Authority', 'X103', 'SES1', 'policy', 34)
) as extra(snapshot_date, jurisdiction, agency_code, agency_name, position_id, tier,
           stream_code, total_points);
