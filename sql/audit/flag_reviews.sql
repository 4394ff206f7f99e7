-- flag_reviews: the exceptions register, one row per review decision (append-only: the audit
-- trail). Keyed by flags.flag_key, so a decision survives reruns and new snapshots; the latest
-- decision on a key is the one in force.
create table if not exists flag_reviews (
    flag_key varchar not null,
    decision varchar not null,           -- justified (accepted as it is) or act (to be fixed)
    note varchar not null,               -- why
    reviewer varchar not null,           -- who
    reviewed_at timestamp not null,      -- when (UTC)
    rule_id varchar,                     -- what the flag was, for a readable trail
    agency_code varchar,
    position_id varchar
);
