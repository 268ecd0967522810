{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['tenant_id', 'campaign_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials with a lead per tenant, UTC day, campaign, agent, call team and attempt number (docs/api-reference.md §6.3;
-- 10 stands for 10 and above). The attempts report reads the whole UTC days of its window from here.
-- Incremental: the (tenant, day) pairs holding a call (re)loaded since the last run are rebuilt; a call
-- renumbered by a late call of its lead is reloaded by fct_calls, so its day is rebuilt too.
with scoped as (
    {{ scope_to_changed_periods(ref('fct_calls'), 'started_at', '1 day', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id,
        agent_id,
        team_id,
        least(attempt_number, 10) as attempt,
        count(*) as dials,
        count(*) filter (where is_answered) as answers,
        count(*) filter (where is_conversion) as conversions,
        coalesce(sum(talk_sec), 0) as talk_sec
    from scoped
    where is_dial and attempt_number is not null
    group by tenant_id, period_start, campaign_id, agent_id, team_id, least(attempt_number, 10)
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        agent_id::bigint as agent_id,
        team_id::bigint as team_id,
        attempt::integer as attempt,
        dials::integer as dials,
        answers::integer as answers,
        conversions::integer as conversions,
        talk_sec::bigint as talk_sec,
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, agent_id, day_start) order: agent- and team-filtered reports then read few, adjacent pages.
order by tenant_id, agent_id, day_start
