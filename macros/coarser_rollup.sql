-- sqlfluff:exclude_rules:LT02,ST06,AM04,RF04
-- (LT02: sqlfluff cannot place the loops that write one line per key and measure; the models it renders pass it.)
{% macro coarser_rollup(parent, parent_period, width, period, keys, measures, order_by=none) -%}
    {#- The body of a rollup that sums a finer one (`parent`, a model name) over fewer keys or longer
        periods: `keys` are (name, type) or (name, type, expression over the parent's columns), every
        one of `measures` (name, type) is summed, `period` names the UTC period column (`width` long).
        Incremental like every rollup: the changed periods of the base facts are rebuilt whole
        (scope_to_changed_periods, with the model's pre-hook delete_changed_periods). -#}
    {%- set key_expressions = [] %}
    {%- for key in keys %}
        {%- do key_expressions.append(key[2] if key | length > 2 else key[0]) %}
    {%- endfor %}
with scoped as (
    {{ scope_to_changed_periods(ref(parent), parent_period, width, 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        period_start,{% for key in keys %}
        {{ key_expressions[loop.index0] }} as {{ key[0] }},{% endfor %}{% for measure in measures %}
        sum({{ measure[0] }}) as {{ measure[0] }}{{ "," if not loop.last }}{% endfor %}
    from scoped
    group by tenant_id, period_start{% for expression in key_expressions %}, {{ expression }}{% endfor %}
),

final as (
    select
        tenant_id::bigint as tenant_id,{% for key in keys %}
        {{ key[0] }}::{{ key[1] }} as {{ key[0] }},{% endfor %}{% for measure in measures %}
        {{ measure[0] }}::{{ measure[1] }} as {{ measure[0] }},{% endfor %}
        period_start::timestamptz as {{ period }},
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final{% if order_by %}
order by {{ order_by }}{% endif %}
{%- endmacro %}


{% macro call_measure_types() -%}
    {#- The additive call measures of the call rollups (docs/api-reference.md §2), as (name, type). -#}
    {{ return([
        ('dials', 'integer'), ('answers', 'integer'), ('connected_calls', 'integer'),
        ('abandoned_calls', 'integer'), ('rejected_calls', 'integer'), ('pdpl_blocked_calls', 'integer'),
        ('conversions', 'integer'), ('talk_sec', 'bigint'), ('handle_sec', 'bigint'),
    ]) }}
{%- endmacro %}


{% macro caller_id_measure_types() -%}
    {#- The caller-id-health measures of the caller-ID rollups, as (name, type). -#}
    {{ return([
        ('total_calls', 'integer'), ('answered_calls', 'integer'), ('talk_sec', 'bigint'),
        ('short_calls', 'integer'), ('rejected_calls', 'integer'),
    ]) }}
{%- endmacro %}


{% macro attempt_measure_types() -%}
    {#- The measures of the attempts rollups, as (name, type). -#}
    {{ return([('dials', 'integer'), ('answers', 'integer'), ('conversions', 'integer'), ('talk_sec', 'bigint')]) }}
{%- endmacro %}
