{% macro postgres__get_where_subquery(relation) -%}
    {#- A generic test's relation, filtered by its `where` config (dbt's default), plus one word of our
        own: `where: current_run` keeps the rows this dbt run wrote (dbt_loaded_at = run_started_at).
        It is resolved here, when the test runs: a timestamp written into the config would be frozen
        at parse time, and partial parsing would keep the one of an earlier run. -#}
    {%- set where = config.get('where', '') -%}
    {%- if where == 'current_run' -%}
        {%- set where = "dbt_loaded_at = '" ~ run_started_at ~ "'" -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
