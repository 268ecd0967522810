-- Calls with the conversion rule of docs/api-reference.md §2 applied: a conversion is an *answered*
-- dial whose disposition code is `is_conversion` in the call's own tenant. The API reads the calls
-- changed since the last build through this view (README "Live answers"): one home for the rule.
with calls as (
    select * from {{ ref('stg_raw__calls') }}
),

dispositions as (
    select * from {{ ref('stg_raw__dispositions') }}
),

classified as (
    select
        calls.*,
        coalesce(dispositions.is_conversion, false) as has_conversion_code,
        calls.is_answered and coalesce(dispositions.is_conversion, false) as is_conversion,
        dispositions.disposition_code is null and calls.disposition_code is not null
            as has_unknown_disposition
    from calls
    left join dispositions
        on
            calls.tenant_id = dispositions.tenant_id
            and calls.disposition_code = dispositions.disposition_code
)

select * from classified
