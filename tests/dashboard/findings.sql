-- findings: the fixture's flags and one review, fixed by hand so that the dashboard tests know
-- every number they assert. Replaces whatever the checks stage found on the fixture extracts.
-- A finding keeps its flag_key across snapshots (f-b022-missing is in both).
alter table flags add column if not exists flag_key varchar;
alter table flags add column if not exists magnitude double;  -- the checks stage adds it too
delete from flags;
insert into flags by name
select * from (values
    ('f-p035-points', date '2025-06-30', 'APS', 'DEPA', 'P035', 'SES2', 'band_points_mismatch', 'high',
     'P035 is held at SES2 but its factor points (30) indicate SES1.',
     '{"total_points": 30, "held_tier": "SES2", "indicated_tier": "SES1", "band_range": [36, 47]}', 6.0),
    ('f-p035-inversion', date '2025-06-30', 'APS', 'DEPA', 'P035', 'SES2', 'hierarchy_inversion', 'high',
     'P035 (SES2) reports to P030, which is only SES1.',
     '{"reports_to": "P030", "reports_to_tier": "SES1"}', 8.0),
    ('f-b022-missing', date '2025-06-30', 'APS', 'DEPB', 'B022', 'SES1', 'missing_determination', 'medium',
     'B022 is an executive position with no determination on record.', '{}', null),
    ('f-g031-determination', date '2025-06-30', 'VPS', 'VDOG', 'G031', 'SES2', 'determination_mismatch', 'medium',
     'G031 is held at SES2 but its latest determination (D-G031) is SES1.',
     '{"determination_id": "D-G031", "determined": "SES1"}', 3.0),
    ('f-p033-resource', date '2025-06-30', 'APS', 'DEPA', 'P033', 'SES1', 'resource_evidence_mismatch', 'low',
     'P033 scores 5 for resource management but manages 5 staff.',
     '{"factor": "resource_management", "score": 5, "staff_managed": 5}', 2.0),
    ('f-depa-drift', date '2025-06-30', 'APS', 'DEPA', null, 'SES1', 'agency_band_drift', 'medium',
     'DEPA''s SES1 positions score like other agencies'' SES2 positions.',
     '{"agency_median": 27, "peer_median": 25}', 2.0),
    ('f-b022-missing', date '2024-06-30', 'APS', 'DEPB', 'B022', 'SES1', 'missing_determination', 'medium',
     'B022 is an executive position with no determination on record.', '{}', null)
) as findings(flag_key, snapshot_date, jurisdiction, agency_code, position_id, classification,
              rule_id, severity, message, evidence, magnitude);

delete from flag_reviews;
insert into flag_reviews by name
select 'f-p033-resource' as flag_key, 'justified' as decision,
    'A specialist legal role: resources are not its work value.' as note, 'R01' as reviewer,
    timestamp '2025-07-10 09:00:00' as reviewed_at;
