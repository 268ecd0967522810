{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials per tenant, UTC day and caller ID (agg_caller_id_calls_campaign_daily without the campaign), for
-- caller-id-health requests without filters.
-- Stored in (tenant_id, day_start) order: a window's days are adjacent pages.
{{ coarser_rollup(
    'agg_caller_id_calls_campaign_daily',
    'day_start',
    '1 day',
    'day_start',
    [('caller_id', 'text'), ('short_call_threshold_sec', 'integer')],
    caller_id_measure_types(),
    order_by='tenant_id, day_start'
) }}
