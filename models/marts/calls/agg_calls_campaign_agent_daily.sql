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
with scoped as (
    {{ scope_to_changed_periods(ref('agg_calls_campaign_agent_team_daily'), 'day_start', '1 day', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id,
        agent_id,
        {{ sum_call_measures() }}
    from scoped
    group by tenant_id, period_start, campaign_id, agent_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        agent_id::bigint as agent_id,
        {{ cast_call_measures() }},
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, campaign_id, day_start) order: a campaign's days are adjacent pages.
order by tenant_id, campaign_id, day_start
