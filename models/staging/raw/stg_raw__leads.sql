with source as (
    select * from {{ source('raw', 'leads') }}
),

renamed as (
    select
        id as lead_id,
        tenant_id,
        campaign_id,
        -- docs/api-reference.md §1: trimmed of any Unicode whitespace; null or blank -> "(unknown)".
        coalesce(nullif({{ trim_unicode_whitespace('source') }}, ''), '(unknown)') as lead_source,
        created_at,
        updated_at
    from source
)

select * from renamed
