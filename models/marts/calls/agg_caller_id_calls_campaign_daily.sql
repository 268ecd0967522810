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

-- Dials per tenant, UTC day, campaign and caller ID with the caller-id-health measures
-- (docs/api-reference.md §3). Short calls use the threshold in `short_call_threshold_sec` (dbt var
-- `short_call_threshold_sec`); the API reads these rows only when its own threshold is the same.
with scoped as (
    {{ scope_to_changed_periods(ref('fct_calls'), 'started_at', '1 day', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,
        campaign_id,
        caller_id,
        count(*) as total_calls,
        count(*) filter (where is_answered) as answered_calls,
        coalesce(sum(talk_sec), 0) as talk_sec,
        count(*) filter (where is_connected and talk_sec < {{ var('short_call_threshold_sec') }}) as short_calls,
        count(*) filter (where is_rejected) as rejected_calls
    from scoped
    where is_dial and caller_id is not null
    group by tenant_id, period_start, campaign_id, caller_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        caller_id::text as caller_id,
        total_calls::integer as total_calls,
        answered_calls::integer as answered_calls,
        talk_sec::bigint as talk_sec,
        short_calls::integer as short_calls,
        rejected_calls::integer as rejected_calls,
        {{ var('short_call_threshold_sec') }}::integer as short_call_threshold_sec,
        period_start::timestamptz as day_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, campaign_id, day_start) order: a campaign's days are adjacent pages.
order by tenant_id, campaign_id, day_start
