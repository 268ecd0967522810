{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'campaign_id', 'day_start']},
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials with a lead per tenant, UTC day, campaign and attempt number (agg_attempts_campaign_agent_team_daily
-- without agent and team), for attempts requests filtered by campaign only.
-- Stored in (tenant_id, campaign_id, day_start) order: a campaign's days are adjacent pages.
{{ coarser_rollup(
    'agg_attempts_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('campaign_id', 'bigint'), ('attempt', 'integer')],
    attempt_measure_types(),
    order_by='tenant_id, campaign_id, day_start'
) }}
