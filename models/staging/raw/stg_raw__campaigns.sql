with source as (
    select * from {{ source('raw', 'campaigns') }}
),

renamed as (
    select
        id as campaign_id,
        tenant_id,
        name as campaign_name,
        status as campaign_status,
        -- docs/api-reference.md §3 (abandon-rate): a null limit means the default 3 %.
        coalesce(abandon_limit_pct, 3.00)::numeric(5, 2) as abandon_limit_pct,
        created_at,
        updated_at
    from source
)

select * from renamed
