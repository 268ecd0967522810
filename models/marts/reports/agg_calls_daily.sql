{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['tenant_id', 'campaign_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, UTC day, campaign, agent and call team (sums of agg_calls_15m). Dashboard
-- and agent-performance read the whole UTC days of a filtered window from here.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
with scoped as (
    {{ scope_to_changed_periods(ref('agg_calls_15m'), 'slot_start', '1 day') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id, agent_id, team_id,
        {{ sum_call_measures() }}
    from scoped
    group by tenant_id, period_start, campaign_id, agent_id, team_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        agent_id::bigint as agent_id,
        team_id::bigint as team_id,
        dials::integer as dials,
        answers::integer as answers,
        connected_calls::integer as connected_calls,
        abandoned_calls::integer as abandoned_calls,
        rejected_calls::integer as rejected_calls,
        pdpl_blocked_calls::integer as pdpl_blocked_calls,
        conversions::integer as conversions,
        talk_sec::bigint as talk_sec,
        handle_sec::bigint as handle_sec,
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, agent_id, day_start) order: agent- and team-filtered reports then read few, adjacent pages.
order by tenant_id, agent_id, day_start
