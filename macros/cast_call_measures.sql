{% macro cast_call_measures() -%}
    {#- The additive call measures of every call rollup, typed as their model contracts declare. -#}
    dials::integer as dials,
    answers::integer as answers,
    connected_calls::integer as connected_calls,
    abandoned_calls::integer as abandoned_calls,
    rejected_calls::integer as rejected_calls,
    pdpl_blocked_calls::integer as pdpl_blocked_calls,
    conversions::integer as conversions,
    talk_sec::bigint as talk_sec,
    handle_sec::bigint as handle_sec
{%- endmacro %}
