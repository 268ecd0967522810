{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'campaign_id', 'day_start']},
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials with a lead per tenant, UTC day, campaign and attempt number (agg_attempts_campaign_agent_team_daily
-- without agent and team), for attempts requests filtered by campaign only.
with scoped as (
    {{ scope_to_changed_periods(ref('agg_attempts_campaign_agent_team_daily'), 'day_start', '1 day', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id,
        attempt,
        sum(dials) as dials,
        sum(answers) as answers,
        sum(conversions) as conversions,
        sum(talk_sec) as talk_sec
    from scoped
    group by tenant_id, period_start, campaign_id, attempt
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
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
-- Stored in (tenant_id, campaign_id, day_start) order: a campaign's days are adjacent pages.
order by tenant_id, campaign_id, day_start
