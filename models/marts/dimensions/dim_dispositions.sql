-- Disposition codes per tenant with label, category, color and the conversion flag.
with source as (
    select * from {{ ref('stg_raw__dispositions') }}
),

final as (
    select
        tenant_id::bigint as tenant_id,
        disposition_code::text as disposition_code,
        disposition_label::text as disposition_label,
        disposition_category::text as disposition_category,
        disposition_color::text as disposition_color,
        is_conversion::boolean as is_conversion
    from source
)

select * from final
