{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'hour_start'],
        pre_hook="{{ delete_changed_periods('calls', 'hour_start', '1 hour') }}",
        indexes=[
            {'columns': ['tenant_id', 'hour_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Dials per tenant, UTC hour and caller ID, for caller-id-health's health_calls_today: a local day is whole UTC
-- hours (in every zone whose offset is whole hours) and at most two partial hours, read from fct_calls
-- (DECISIONLOG 66). Every dial counts, whatever the report's filters.
with scoped as (
    {{ scope_to_changed_periods(ref('fct_calls'), 'started_at', '1 hour', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        caller_id,
        count(*) as dials
    from scoped
    where is_dial and caller_id is not null
    group by tenant_id, period_start, caller_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        caller_id::text as caller_id,
        dials::integer as dials,
        period_start::timestamptz as hour_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, hour_start) order: a day's hours are adjacent pages.
order by tenant_id, hour_start
