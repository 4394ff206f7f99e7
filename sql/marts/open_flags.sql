-- open_flags: the flags no analyst has reviewed yet (a view, so a review shows at once).
create or replace view open_flags as
with flags as (
    select * from flags
),

reviewed as (
    select distinct flag_key from flag_reviews
),

final as (
    select flags.* from flags
    where flag_key not in (select flag_key from reviewed)
)

select * from final
