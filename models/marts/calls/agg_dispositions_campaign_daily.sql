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

-- Dials with a disposition per tenant, UTC day, campaign and code: agg_dispositions_campaign_agent_team_daily
-- without the agent and team, for disposition-breakdown requests without agent or team filters.
with scoped as (
    {{ scope_to_changed_periods(ref('agg_dispositions_campaign_agent_team_daily'), 'day_start', '1 day', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id,
        disposition_code,
        sum(dials) as dials
    from scoped
    group by tenant_id, period_start, campaign_id, disposition_code
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        disposition_code::text as disposition_code,
        dials::integer as dials,
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
