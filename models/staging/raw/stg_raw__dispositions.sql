with source as (
    select * from {{ source('raw', 'dispositions') }}
),

renamed as (
    select
        tenant_id,
        code as disposition_code,
        {{ trim_unicode_whitespace('label') }} as disposition_label,
        category as disposition_category,
        color as disposition_color,
        is_conversion
    from source
)

select * from renamed
