{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'created_day'],
        pre_hook="{{ delete_changed_periods('leads', 'created_day', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'created_day']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- agg_lead_milestones_campaign_source_daily without the campaign: funnel and lead-source attribution of windows of
-- whole UTC days without a campaign filter read here.
with scoped as (
    {{ scope_to_changed_periods(ref('agg_lead_milestones_campaign_source_daily'), 'created_day', '1 day', 'leads') }}
),

rolled_up as (
    select
        tenant_id,
        lead_source,
        period_start,
        reached_day,
        sum(leads) as leads,
        sum(dialed) as dialed,
        sum(connected) as connected,
        sum(talked) as talked,
        sum(disposed) as disposed,
        sum(converted) as converted
    from scoped
    group by tenant_id, lead_source, period_start, reached_day
),

final as (
    select
        tenant_id::bigint as tenant_id,
        lead_source::text as lead_source,
        leads::integer as leads,
        dialed::integer as dialed,
        connected::integer as connected,
        talked::integer as talked,
        disposed::integer as disposed,
        converted::integer as converted,
        period_start::timestamptz as created_day,
        reached_day::timestamptz as reached_day,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, created_day) order: a window's days are adjacent pages.
order by tenant_id, created_day
