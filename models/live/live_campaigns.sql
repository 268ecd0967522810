-- The campaigns as they stand in raw, with the default abandon limit applied (docs/api-reference.md
-- §3, abandon-rate): what the API and the snapshot job read live. Granted to the API role only.
with campaigns as (
    select * from {{ ref('stg_raw__campaigns') }}
),

live as (
    select
        campaign_id,
        tenant_id,
        campaign_name,
        campaign_status,
        abandon_limit_pct
    from campaigns
)

select * from live
