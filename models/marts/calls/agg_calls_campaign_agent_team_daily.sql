{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['tenant_id', 'team_id', 'day_start']},
            {'columns': ['tenant_id', 'campaign_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, UTC day, campaign, agent and call team (sums of
-- agg_calls_campaign_agent_team_15m). Dashboard and agent-performance read the whole UTC days of a
-- filtered window from here.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
-- Stored in (tenant_id, agent_id, day_start) order: agent- and team-filtered reports then read few, adjacent pages.
{{ coarser_rollup(
    'agg_calls_campaign_agent_team_15m',
    'slot_start',
    '1 day',
    'day_start',
    [('campaign_id', 'bigint'), ('agent_id', 'bigint'), ('team_id', 'bigint')],
    call_measure_types(),
    order_by='tenant_id, agent_id, day_start'
) }}
