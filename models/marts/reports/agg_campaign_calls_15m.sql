{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'slot_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=[
            {'columns': ['tenant_id', 'slot_start']},
            {'columns': ['tenant_id', 'campaign_id', 'slot_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant, 15-minute UTC slot and campaign (agg_calls_15m without agent and team),
-- for heatmap and time-series with at most a campaign filter.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
with scoped as (
    {{ scope_to_changed_periods(ref('agg_calls_15m'), 'slot_start', '15 minutes') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id,
        {{ sum_call_measures() }}
    from scoped
    group by tenant_id, period_start, campaign_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        dials::integer as dials,
        answers::integer as answers,
        connected_calls::integer as connected_calls,
        abandoned_calls::integer as abandoned_calls,
        rejected_calls::integer as rejected_calls,
        pdpl_blocked_calls::integer as pdpl_blocked_calls,
        conversions::integer as conversions,
        talk_sec::bigint as talk_sec,
        handle_sec::bigint as handle_sec,
        period_start::timestamptz as slot_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
