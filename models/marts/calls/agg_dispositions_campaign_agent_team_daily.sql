{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['tenant_id', 'team_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials with a disposition per tenant, UTC day, campaign, agent, call team and code
-- (disposition-breakdown, docs/api-reference.md §3). Unknown codes are kept as they are.
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
        disposition_code,
        count(*) as dials
    from scoped
    where is_dial and disposition_code is not null
    group by tenant_id, period_start, campaign_id, agent_id, team_id, disposition_code
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        agent_id::bigint as agent_id,
        team_id::bigint as team_id,
        disposition_code::text as disposition_code,
        dials::integer as dials,
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, agent_id, day_start) order: agent- and team-filtered reports then read few, adjacent pages.
order by tenant_id, agent_id, day_start
