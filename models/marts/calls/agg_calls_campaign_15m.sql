{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'slot_start'],
        pre_hook="{{ delete_changed_periods('calls', 'slot_start', '15 minutes') }}",
        indexes=[
            {'columns': ['tenant_id', 'slot_start']},
            {'columns': ['tenant_id', 'campaign_id', 'slot_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, 15-minute UTC slot and campaign (agg_calls_campaign_agent_team_15m without agent and team),
-- for heatmap and time-series with at most a campaign filter.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
{{ coarser_rollup(
    'agg_calls_campaign_agent_team_15m',
    'slot_start',
    '15 minutes',
    'slot_start',
    [('campaign_id', 'bigint')],
    call_measure_types()
) }}
