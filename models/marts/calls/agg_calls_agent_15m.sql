{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'slot_start'],
        pre_hook="{{ delete_changed_periods('calls', 'slot_start', '15 minutes') }}",
        indexes=[
            {'columns': ['tenant_id', 'agent_id', 'slot_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, 15-minute UTC slot and agent (agg_calls_campaign_agent_team_15m without campaign and
-- team: about a third of its rows), for heatmap and time-series with an agent filter and nothing else.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
-- Stored in (tenant_id, agent_id, slot_start) order: an agent filter reads few, adjacent pages.
{{ coarser_rollup(
    'agg_calls_campaign_agent_team_15m',
    'slot_start',
    '15 minutes',
    'slot_start',
    [('agent_id', 'bigint')],
    call_measure_types(),
    order_by='tenant_id, agent_id, slot_start'
) }}
