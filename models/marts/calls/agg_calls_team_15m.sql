{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'slot_start'],
        pre_hook="{{ delete_changed_periods('calls', 'slot_start', '15 minutes') }}",
        indexes=[
            {'columns': ['tenant_id', 'team_id', 'slot_start']},
            {'columns': ['tenant_id', 'agent_id', 'slot_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, 15-minute UTC slot and the call's own team; the calls without a team per
-- agent instead (agent_id is set only on those rows). It serves heatmap and time-series with a team
-- filter and nothing narrower: the team's calls (team_id = t, one row per slot) and its agents' calls
-- without a team (team_id is null, agent_id in the team) are the two arms of the filter
-- (DECISIONLOG 63, 64), each a range of one index, without the campaign split of
-- agg_calls_campaign_agent_team_15m.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
-- Stored in (tenant_id, team_id, agent_id, slot_start) order: a team filter reads few, adjacent pages.
{{ coarser_rollup(
    'agg_calls_campaign_agent_team_15m',
    'slot_start',
    '15 minutes',
    'slot_start',
    [('team_id', 'bigint'), ('agent_id', 'bigint', 'case when team_id is null then agent_id end')],
    call_measure_types(),
    order_by='tenant_id, team_id, agent_id, slot_start'
) }}
