-- Campaigns of every tenant; the API validates campaign_id against it.
with source as (
    select * from {{ ref('stg_raw__campaigns') }}
),

final as (
    select
        campaign_id::bigint as campaign_id,
        tenant_id::bigint as tenant_id,
        campaign_name::text as campaign_name,
        campaign_status::text as campaign_status,
        abandon_limit_pct::numeric(5, 2) as abandon_limit_pct,
        created_at::timestamptz as created_at,
        updated_at::timestamptz as updated_at
    from source
)

select * from final
