{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['tenant_id', 'team_id', 'day_start']},
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials with a lead per tenant, UTC day, agent, call team and attempt number (agg_attempts_campaign_agent_team_daily
-- without the campaign), for attempts requests filtered by agents or team but not by campaign.
-- Stored in (tenant_id, agent_id, day_start) order: agent- and team-filtered reports then read few, adjacent pages.
{{ coarser_rollup(
    'agg_attempts_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('agent_id', 'bigint'), ('team_id', 'bigint'), ('attempt', 'integer')],
    attempt_measure_types(),
    order_by='tenant_id, agent_id, day_start'
) }}
