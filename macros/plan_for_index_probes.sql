{% macro plan_for_index_probes() -%}
    {#- Pre-hook of every mart: `random_page_cost` for the model's transaction only (var
        random_page_cost, the API's setting TELESALES_RANDOM_PAGE_COST as the build passes it). An
        incremental run joins its few changed rows to the stored facts by key; at PostgreSQL's default
        of 4.0 (an untuned server) each probe is priced as a disk seek and the planner hashed all 5 M
        call facts instead, three times in one fct_calls run (DECISIONLOG 74). -#}
    select pg_catalog.set_config('random_page_cost', '{{ var("random_page_cost") | float }}', true)
{%- endmacro %}
