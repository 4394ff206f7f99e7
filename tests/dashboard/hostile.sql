-- hostile: rows the dashboard must not show, or must show as text, added to the fixture warehouse
-- (tests/test_dashboard_privacy.py, tests/test_dashboard_e2e.py). 198.51.100.7 is a
-- documentation address: a browser that fetched from it would be caught by the e2e test.
update quarantine set raw_record = json_merge_patch(raw_record,
    '{"employee_name": "Jane Citizen", "email": "jane@example.org"}');
update flags set message = 'P035 ![x](http://198.51.100.7/beacon.png) is held at SES2.'
where flag_key = 'f-p035-points';
update positions set position_title = 'Chief ![x](http://198.51.100.7/beacon.png)'
where position_id = 'P035';
insert into flag_reviews by name
select 'f-p035-points' as flag_key, 'act' as decision,
    '[see](http://198.51.100.7/notes) <img src="http://198.51.100.7/b.png">' as note,
    'R02' as reviewer, timestamp '2025-07-11 09:00:00' as reviewed_at;
-- two findings about an evaluator, both filed under DEPA: E02's SES2 determinations of
-- 2025-06-30 are all DEPA's, E01's are DEPA's and DEPB's
insert into flags by name
select * from (values
    ('f-e02', date '2025-06-30', 'APS', 'DEPA', null, 'SES2', 'evaluator_leniency', 'low',
     'Evaluator E02 scores SES2 positions higher.', '{"evaluator": "E02", "tier": "SES2"}'),
    ('f-e01', date '2025-06-30', 'APS', 'DEPA', null, 'SES2', 'evaluator_leniency', 'low',
     'Evaluator E01 scores SES2 positions higher.', '{"evaluator": "E01", "tier": "SES2"}')
) as findings(flag_key, snapshot_date, jurisdiction, agency_code, position_id, classification,
              rule_id, severity, message, evidence);
