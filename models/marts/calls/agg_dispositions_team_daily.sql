{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'team_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials with a disposition per tenant, UTC day, code and the call's own team; the calls without a team per agent
-- instead (agent_id is set only on those rows): agg_dispositions_campaign_agent_team_daily without the campaign,
-- for disposition-breakdown with a team filter and nothing narrower (the two arms of DECISIONLOG 63, 64).
with scoped as (
    {{ scope_to_changed_periods(ref('agg_dispositions_campaign_agent_team_daily'), 'day_start', '1 day', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        team_id,
        case when team_id is null then agent_id end as agent_id,
        disposition_code,
        sum(dials) as dials
    from scoped
    group by tenant_id, period_start, team_id, case when team_id is null then agent_id end, disposition_code
),

final as (
    select
        tenant_id::bigint as tenant_id,
        team_id::bigint as team_id,
        agent_id::bigint as agent_id,
        disposition_code::text as disposition_code,
        dials::integer as dials,
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, team_id, agent_id, day_start) order: a team filter reads few, adjacent pages.
order by tenant_id, team_id, agent_id, day_start
