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

-- Dials with a disposition per tenant, UTC day, campaign and code: agg_dispositions_campaign_agent_team_daily
-- without the agent and team, for disposition-breakdown requests without agent or team filters.
{{ coarser_rollup(
    'agg_dispositions_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('campaign_id', 'bigint'), ('disposition_code', 'text')],
    [('dials', 'integer')]
) }}
