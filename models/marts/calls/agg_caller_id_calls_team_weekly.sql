{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'week_start'],
        pre_hook="{{ delete_changed_periods('calls', 'week_start', '7 days') }}",
        indexes=[
            {'columns': ['tenant_id', 'team_id', 'week_start']},
            {'columns': ['tenant_id', 'agent_id', 'week_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- agg_caller_id_calls_team_daily summed over 7-day UTC periods counted from 2000-01-01 (a Saturday): a
-- 90-day window with a team filter alone reads its whole weeks here and only the days at its ends from the
-- daily rollup (DECISIONLOG 66, 69).
-- Stored in (tenant_id, team_id, agent_id, week_start) order: a team filter reads few, adjacent pages.
{{ coarser_rollup(
    'agg_caller_id_calls_team_daily',
    'day_start',
    '7 days',
    'week_start',
    [('team_id', 'bigint'), ('agent_id', 'bigint'), ('caller_id', 'text'), ('short_call_threshold_sec', 'integer')],
    caller_id_measure_types(),
    order_by='tenant_id, team_id, agent_id, week_start'
) }}
