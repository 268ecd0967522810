{% macro sum_call_measures() -%}
    {#- The additive call measures of the rollups (docs/api-reference.md §2), summed from a finer rollup. -#}
    sum(dials)::integer as dials,
    sum(answers)::integer as answers,
    sum(connected_calls)::integer as connected_calls,
    sum(abandoned_calls)::integer as abandoned_calls,
    sum(rejected_calls)::integer as rejected_calls,
    sum(pdpl_blocked_calls)::integer as pdpl_blocked_calls,
    sum(conversions)::integer as conversions,
    sum(talk_sec)::bigint as talk_sec,
    sum(handle_sec)::bigint as handle_sec
{%- endmacro %}
