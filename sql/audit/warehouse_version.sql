-- warehouse_version: one row, rewritten by every publish (a run, a review). Readers key what
-- they cache on version_id: it names the content they read, whichever file handle they hold.
create or replace table warehouse_version as
select
    uuid()::varchar as version_id,       -- new on every publish
    timezone('UTC', now()) as published_at  -- when (UTC)
