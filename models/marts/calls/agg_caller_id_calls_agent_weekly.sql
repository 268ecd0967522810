{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'week_start'],
        pre_hook="{{ delete_changed_periods('calls', 'week_start', '7 days') }}",
        indexes=[
            {'columns': ['tenant_id', 'agent_id', 'week_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- The caller-id-health measures per tenant, 7-day UTC period (counted from 2000-01-01, a Saturday), agent
-- and caller ID, read from fct_calls, for caller-id-health and carrier-health with agents and nothing else:
-- a 90-day window reads its whole weeks here, one index range per agent, and the days at its ends from
-- fct_calls (DECISIONLOG 72). No daily grain: per agent and day a caller ID has about one dial, so a daily
-- rollup would hold about as many rows as fct_calls.
-- Stored in (tenant_id, agent_id, week_start) order: an agent's weeks are adjacent pages.
{{ caller_id_rollup(
    [('agent_id', 'bigint', 'agent_id')],
    'tenant_id, agent_id, week_start',
    width='7 days',
    period_column='week_start'
) }}
