{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['tenant_id', 'team_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, UTC day, agent and the call's own team, over all campaigns
-- (agg_calls_campaign_agent_team_daily without the campaign: a twentieth of its rows on the
-- benchmark). Dashboard and agent-performance read the whole days of a window filtered by a team or
-- by agents without a campaign here: the team's calls (team_id = t) and its agents' calls without a
-- team (team_id is null, agent_id in the team) are the two arms of a team filter, each a range of one
-- index (DECISIONLOG 97). agg_calls_agent_daily sums it over the teams.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
-- Stored in (tenant_id, team_id, agent_id, day_start) order: a team filter reads few, adjacent pages.
{{ coarser_rollup(
    'agg_calls_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('agent_id', 'bigint'), ('team_id', 'bigint')],
    call_measure_types(),
    order_by='tenant_id, team_id, agent_id, day_start'
) }}
