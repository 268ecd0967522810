with source as (
    select * from {{ source('raw', 'caller_ids') }}
),

renamed as (
    select
        tenant_id,
        cid,
        {{ trim_unicode_whitespace('display_name') }} as display_name,
        carrier,
        cli_type,
        pool_status,
        daily_cap,
        cooldown_until,
        created_at,
        updated_at
    from source
)

select * from renamed
