-- sqlfluff:exclude_rules:LT02,ST06,AM04,RF04
-- (LT02: sqlfluff cannot place the loops that write one line per key; the models it renders pass it.)
{% macro caller_id_rollup(keys, order_by, width='1 day', period_column='day_start') -%}
    {#- The body of a caller-ID rollup read from fct_calls: the dials per tenant, UTC period of `width`
        (in `period_column`: '1 day' and day_start, or '7 days' and week_start), caller ID and `keys`
        ((name, type, expression over fct_calls)) with the caller-id-health measures
        (docs/api-reference.md §3). Short calls use the dbt var `short_call_threshold_sec`, stored in
        `short_call_threshold_sec`: the API reads these rows only when its own threshold is the same.
        Incremental: the changed UTC periods of fct_calls are rebuilt whole. -#}
with scoped as (
    {{ scope_to_changed_periods(ref('fct_calls'), 'started_at', width, 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,{% for key in keys %}
        {{ key[2] }} as {{ key[0] }},{% endfor %}
        caller_id,
        count(*) as total_calls,
        count(*) filter (where is_answered) as answered_calls,
        coalesce(sum(talk_sec), 0) as talk_sec,
        count(*) filter (where is_connected and talk_sec < {{ var('short_call_threshold_sec') }}) as short_calls,
        count(*) filter (where is_rejected) as rejected_calls
    from scoped
    where is_dial and caller_id is not null
    group by tenant_id, period_start, caller_id{% for key in keys %}, {{ key[2] }}{% endfor %}
),

final as (
    select
        tenant_id::bigint as tenant_id,{% for key in keys %}
        {{ key[0] }}::{{ key[1] }} as {{ key[0] }},{% endfor %}
        caller_id::text as caller_id,
        total_calls::integer as total_calls,
        answered_calls::integer as answered_calls,
        talk_sec::bigint as talk_sec,
        short_calls::integer as short_calls,
        rejected_calls::integer as rejected_calls,
        {{ var('short_call_threshold_sec') }}::integer as short_call_threshold_sec,
        period_start::timestamptz as {{ period_column }},
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
order by {{ order_by }}
{%- endmacro %}
