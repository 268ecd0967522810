{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'lead_block'],
        pre_hook="{{ delete_changed_lead_blocks() }}",
        indexes=[
            {'columns': ['tenant_id', 'agent_id', 'started_at']},
            {'columns': ['tenant_id', 'lead_block']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- The calls of the leads with irregular calls (calls before the lead's creation or in another campaign;
-- fct_leads.has_irregular_calls), which agg_agent_lead_blocks leaves out: under an agent filter the
-- funnel and lead-source attribution read these few calls by agent instead of probing fct_calls once per
-- irregular lead (DECISIONLOG 75). Incremental: the blocks of the leads fct_leads (re)loaded since the
-- last run, rebuilt whole (the pre-hook deletes them first).
with leads as not materialized (
    select * from {{ ref('fct_leads') }}
),

calls as not materialized (
    select * from {{ ref('fct_calls') }}
),

scoped_leads as (
    select scoped.*
    from ({{ leads_in_changed_blocks('leads') }}) as scoped
    where scoped.has_irregular_calls
),

final as (
    select
        calls.tenant_id::bigint as tenant_id,
        calls.call_id::bigint as call_id,
        {{ lead_block('calls.lead_id') }}::bigint as lead_block,
        calls.lead_id::bigint as lead_id,
        calls.agent_id::bigint as agent_id,
        calls.campaign_id::bigint as campaign_id,
        calls.started_at::timestamptz as started_at,
        scoped_leads.created_at::timestamptz as lead_created_at,
        scoped_leads.campaign_id::bigint as lead_campaign_id,
        scoped_leads.lead_source::text as lead_source,
        calls.is_dial::boolean as is_dial,
        calls.is_answered::boolean as is_answered,
        calls.talk_sec::integer as talk_sec,
        calls.disposition_code::text as disposition_code,
        calls.is_conversion::boolean as is_conversion,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from scoped_leads
    inner join calls
        on
            scoped_leads.tenant_id = calls.tenant_id
            and scoped_leads.lead_id = calls.lead_id
)

select * from final
order by tenant_id, agent_id, started_at
