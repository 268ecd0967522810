-- Calls with the conversion rule of docs/api-reference.md §2 applied: a conversion is an *answered*
-- dial whose disposition code is `is_conversion` in the call's own tenant. Also the attributes of
-- the call's lead (same tenant) that the funnel needs to count calls without a join.
with calls as (
    select * from {{ ref('stg_raw__calls') }}
),

dispositions as (
    select * from {{ ref('stg_raw__dispositions') }}
),

leads as (
    select * from {{ ref('stg_raw__leads') }}
),

flagged as (
    select
        calls.*,
        coalesce(dispositions.is_conversion, false) as has_conversion_code,
        calls.is_answered and coalesce(dispositions.is_conversion, false) as is_conversion,
        dispositions.disposition_code is null and calls.disposition_code is not null
            as has_unknown_disposition,
        leads.created_at as lead_created_at,
        leads.campaign_id as lead_campaign_id,
        leads.lead_source
    from calls
    left join dispositions
        on
            calls.tenant_id = dispositions.tenant_id
            and calls.disposition_code = dispositions.disposition_code
    left join leads
        on
            calls.tenant_id = leads.tenant_id
            and calls.lead_id = leads.lead_id
)

select * from flagged
