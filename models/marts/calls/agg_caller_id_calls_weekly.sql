{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'week_start'],
        pre_hook="{{ delete_changed_periods('calls', 'week_start', '7 days') }}",
        indexes=[
            {'columns': ['tenant_id', 'week_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- The caller-id-health measures per tenant, UTC week and caller ID: agg_caller_id_calls_daily
-- summed over 7-day UTC periods counted from 2000-01-01 (a Saturday), for caller-id-health and
-- carrier-health without filters. A 90-day window reads its whole weeks here and only the days at its ends
-- from the daily rollup (DECISIONLOG 66).
with scoped as (
    {{ scope_to_changed_periods(ref('agg_caller_id_calls_daily'), 'day_start', '7 days', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        caller_id,
        short_call_threshold_sec,
        sum(total_calls) as total_calls,
        sum(answered_calls) as answered_calls,
        sum(talk_sec) as talk_sec,
        sum(short_calls) as short_calls,
        sum(rejected_calls) as rejected_calls
    from scoped
    group by tenant_id, period_start, caller_id, short_call_threshold_sec
),

final as (
    select
        tenant_id::bigint as tenant_id,
        caller_id::text as caller_id,
        total_calls::integer as total_calls,
        answered_calls::integer as answered_calls,
        talk_sec::bigint as talk_sec,
        short_calls::integer as short_calls,
        rejected_calls::integer as rejected_calls,
        short_call_threshold_sec::integer as short_call_threshold_sec,
        period_start::timestamptz as week_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, week_start) order: a window's weeks are adjacent pages.
order by tenant_id, week_start
