{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Marts land in `marts`, staging in `staging`: stable names the API and BI roles rely on,
        not dbt's default `<target>_<custom>` concatenation. The build command writes the marts into
        the building copy (var marts_schema = marts_next) and publishes it as `marts` only once it
        passed its tests (write-audit-publish, telesales_build/warehouse_state.py); `dbt build` run by
        hand writes `marts` in place. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}
        {{ var('marts_schema', 'marts') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
