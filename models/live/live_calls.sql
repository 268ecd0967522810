-- The calls as they stand in raw, classified (docs/api-reference.md §2): what the API reads live
-- (abandon-rate before the first build, the snapshot job). A view over the staging
-- view, granted to the API role only, so no Python query re-types the classification.
with calls as (
    select * from {{ ref('stg_raw__calls') }}
),

live as (
    select
        call_id,
        tenant_id,
        campaign_id,
        caller_id,
        is_dial,
        is_answered,
        is_abandoned,
        started_at
    from calls
)

select * from live
