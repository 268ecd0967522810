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
with scoped as (
    {{ scope_to_changed_periods(ref('agg_calls_campaign_agent_team_15m'), 'slot_start', '15 minutes', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        agent_id,
        {{ sum_call_measures() }}
    from scoped
    group by tenant_id, period_start, agent_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        agent_id::bigint as agent_id,
        {{ cast_call_measures() }},
        period_start::timestamptz as slot_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, agent_id, slot_start) order: an agent filter reads few, adjacent pages.
order by tenant_id, agent_id, slot_start
