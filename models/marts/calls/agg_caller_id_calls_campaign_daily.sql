{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['tenant_id', 'campaign_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials per tenant, UTC day, campaign and caller ID with the caller-id-health measures
-- (docs/api-reference.md §3), for caller-id-health and carrier-health with a campaign filter and below.
-- Stored in (tenant_id, campaign_id, day_start) order: a campaign's days are adjacent pages.
{{ caller_id_rollup([('campaign_id', 'bigint', 'campaign_id')], 'tenant_id, campaign_id, day_start') }}
