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
with scoped as (
    {{ scope_to_changed_periods(ref('agg_calls_campaign_agent_team_15m'), 'slot_start', '15 minutes', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        team_id,
        case when team_id is null then agent_id end as agent_id,
        {{ sum_call_measures() }}
    from scoped
    group by tenant_id, period_start, team_id, case when team_id is null then agent_id end
),

final as (
    select
        tenant_id::bigint as tenant_id,
        team_id::bigint as team_id,
        agent_id::bigint as agent_id,
        {{ cast_call_measures() }},
        period_start::timestamptz as slot_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, team_id, agent_id, slot_start) order: a team filter reads few, adjacent pages.
order by tenant_id, team_id, agent_id, slot_start
