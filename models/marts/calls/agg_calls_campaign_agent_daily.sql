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

-- Call measures per tenant, UTC day, campaign and agent, over all teams (agg_calls_campaign_agent_team_daily without
-- the team): dashboard (with unique_agents) and agent-performance read a campaign filter's whole days here.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
-- Stored in (tenant_id, campaign_id, day_start) order: a campaign's days are adjacent pages.
{{ coarser_rollup(
    'agg_calls_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('campaign_id', 'bigint'), ('agent_id', 'bigint')],
    call_measure_types(),
    order_by='tenant_id, campaign_id, day_start'
) }}
