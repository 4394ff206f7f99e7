-- published_inputs: one row, rewritten by every run that builds the marts: the hash of the code,
-- SQL and data files they were built with (pipeline.settings.configuration_sha256). A later run
-- whose extracts are all loaded already and whose hash is the same has nothing to recompute:
-- it publishes nothing (pipeline.run.up_to_date). $1 is the hash.
create or replace table published_inputs as
select
    $1::varchar as configuration_sha256,  -- sha256 of pipeline/*.py, sql/*.sql, data/*.toml, expectations/*.json
    timezone('UTC', now()) as built_at    -- when the marts were built (UTC)
