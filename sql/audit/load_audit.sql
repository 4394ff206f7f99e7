-- load_audit: one row per file loaded. rows_read = rows_loaded + rows_quarantined, always.
create table if not exists load_audit (
    source_file varchar not null,        -- path relative to the input folder
    sha256 varchar not null,             -- content hash: the same content is never loaded twice
    extract_kind varchar not null,       -- positions, determinations, performance, maturity
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    loaded_at timestamp not null,        -- when (UTC)
    notes varchar,                       -- what the reader had to say (encoding fallback, ragged lines)
    superseded_at timestamp,             -- set when a newer version of the same file replaced it
    loaded_by varchar,                   -- who: the operating-system user that ran the load
    note varchar,                        -- about the file as a whole: "no rows: the publisher sent the header only"
    staged_with varchar                  -- settings.staging_sha256 of the load: another one is staged again
);
-- a warehouse built before these columns existed gains them (its older rows stay null)
alter table load_audit add column if not exists loaded_by varchar;
alter table load_audit add column if not exists note varchar;
alter table load_audit add column if not exists staged_with varchar;
