-- Classified calls (int_calls__classified: the conversion rule of docs/api-reference.md §2) with the
-- attributes of the call's lead (same tenant) that the funnel needs to count calls without a join.
with calls as (
    select * from {{ ref('int_calls__classified') }}
),

leads as (
    select * from {{ ref('stg_raw__leads') }}
),

flagged as (
    select
        calls.*,
        leads.created_at as lead_created_at,
        leads.campaign_id as lead_campaign_id,
        leads.lead_source
    from calls
    left join leads
        on
            calls.tenant_id = leads.tenant_id
            and calls.lead_id = leads.lead_id
)

select * from flagged
