{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'slot_start'],
        pre_hook="{{ delete_changed_periods('calls', 'slot_start', '15 minutes') }}",
        indexes=[
            {'columns': ['tenant_id', 'slot_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures per tenant and 15-minute UTC slot, for heatmap, time-series and dashboard sums without
-- filters.
-- Incremental: the (tenant, period) pairs holding a source row (re)loaded since the last run are rebuilt.
{{ coarser_rollup(
    'agg_calls_campaign_15m',
    'slot_start',
    '15 minutes',
    'slot_start',
    [],
    call_measure_types()
) }}
