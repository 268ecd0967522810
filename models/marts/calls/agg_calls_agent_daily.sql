{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, UTC day and agent, over all campaigns and teams. Dashboard (with
-- unique_agents) and agent-performance read unfiltered windows' whole days here. Summed from
-- agg_calls_agent_team_daily (one row per agent and day but for team changes), not from the campaign rollup.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
{{ coarser_rollup(
    'agg_calls_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('agent_id', 'bigint')],
    call_measure_types()
) }}
