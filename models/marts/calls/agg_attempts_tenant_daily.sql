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

-- Dials with a lead per tenant, UTC day and attempt number (agg_attempts_campaign_agent_team_daily without
-- campaign, agent and team), for attempts requests without filters.
{{ coarser_rollup(
    'agg_attempts_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('attempt', 'integer')],
    attempt_measure_types()
) }}
