-- published_inputs: one row, rewritten by every run that builds the marts: the hash of the code,
-- SQL and data files they were built with (pipeline.settings.configuration_sha256), and the
-- publish they belong to. A later run whose extracts are all loaded already, whose hash is the
-- same and whose warehouse is still that publish (or one that only carried it forward, as a
-- review does) has nothing to recompute: it publishes nothing (pipeline.run.up_to_date). A
-- publish by anything that does not carry it forward (an older workvalue) makes the next run
-- rebuild. $1 is the hash.
create or replace table published_inputs as
select
    $1::varchar as configuration_sha256,  -- sha256 of pipeline/*.py, sql/*.sql, data/*.toml, expectations/*.json
    timezone('UTC', now()) as built_at,   -- when the marts were built (UTC)
    null::varchar as version_id           -- warehouse_version.version_id, stamped at publish
