-- The caller-ID rotation pool of every tenant, all pool statuses.
with source as (
    select * from {{ ref('stg_raw__caller_ids') }}
),

final as (
    select
        tenant_id::bigint as tenant_id,
        cid::text as cid,
        display_name::text as display_name,
        carrier::text as carrier,
        cli_type::text as cli_type,
        pool_status::text as pool_status,
        daily_cap::integer as daily_cap,
        cooldown_until::timestamptz as cooldown_until,
        created_at::timestamptz as created_at,
        updated_at::timestamptz as updated_at
    from source
)

select * from final
