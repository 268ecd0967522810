{% macro max_of_this(expression) -%}
    {#- max(expression) over this model's current table, read before the model's SQL runs and
        inlined as a timestamptz literal ('-infinity' when empty or at parse time). A literal lets the
        planner estimate "rows changed since" from the statistics instead of guessing a third of the
        table, which otherwise turns a small incremental run into full scans. -#}
    {%- set value = '-infinity' %}
    {%- if execute and is_incremental() %}
        {%- set result = run_query(
            "select coalesce(max(" ~ expression ~ "), '-infinity'::timestamptz)::text from " ~ this
        ) %}
        {%- set value = result.columns[0].values()[0] %}
    {%- endif %}
    '{{ value }}'::timestamptz
{%- endmacro %}
