{% macro utc_bin(expression, width) -%}
    {#- Start of the UTC period (`width`: '1 hour', '1 day') a timestamp falls in; independent of the
        session time zone (the origin is an absolute instant). -#}
    date_bin(interval '{{ width }}', {{ expression }}, timestamptz '2000-01-01 00:00:00+00')
{%- endmacro %}
