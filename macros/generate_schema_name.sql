{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Marts land in `marts`, staging in `staging`: stable names the API and BI roles rely on,
        not dbt's default `<target>_<custom>` concatenation. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
