-- flags: one row per finding of a consistency rule (see docs/rules.md). The check stage fills
-- it; pipeline.schema creates it (empty) with the other tables, so that exports and the
-- dashboard can rely on it from the first load.
create table if not exists flags (
    snapshot_date date,                  -- where
    jurisdiction varchar,
    agency_code varchar,
    position_id varchar,                 -- blank for an agency-level finding
    classification varchar,              -- normalised classification code the finding concerns
    rule_id varchar not null,
    severity varchar not null,           -- high, medium, low (pipeline.severity)
    message varchar not null,            -- one sentence a person can act on
    evidence json,                       -- values, thresholds and peer group behind it
    magnitude double,                    -- how far past its threshold, in the rule's unit (the
                                         -- rule header's `magnitude`): ranks flags worst first
    flag_key varchar                     -- stable id: rule, agency, position, classification (and
                                         -- evidence.key where a rule finds several per position);
                                         -- the same finding keeps its key across reruns and snapshots
);
