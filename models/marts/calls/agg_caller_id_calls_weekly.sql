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
-- Stored in (tenant_id, week_start) order: a window's weeks are adjacent pages.
{{ coarser_rollup(
    'agg_caller_id_calls_daily',
    'day_start',
    '7 days',
    'week_start',
    [('caller_id', 'text'), ('short_call_threshold_sec', 'integer')],
    caller_id_measure_types(),
    order_by='tenant_id, week_start'
) }}
