{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'created_day'],
        pre_hook="{{ delete_changed_periods('leads', 'created_day', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'created_day']},
            {'columns': ['tenant_id', 'campaign_id', 'created_day']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Regular leads (no irregular calls) per tenant, campaign, source and UTC creation day, spread by the
-- UTC day each funnel milestone was first reached (lead_milestone_rollup). Leads with irregular calls
-- are left out here: the API counts them from fct_leads' columns or their calls.
-- Stored in (tenant_id, campaign_id, created_day) order: a campaign's days are adjacent pages.
{{ lead_milestone_rollup(ref('fct_leads'), [('campaign_id', 'bigint')], 'tenant_id, campaign_id, created_day') }}
