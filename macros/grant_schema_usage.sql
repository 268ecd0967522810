{% macro grant_schema_usage(schema_name, role_name) -%}
    {#- `usage` on a schema dbt creates, for a role of this server (skipped when the server does not
        have the role, like postgres__get_grant_sql). -#}
do $usage$
begin
    if exists (select from pg_catalog.pg_roles where rolname = '{{ role_name }}') then
        execute format('grant usage on schema %I to %I', '{{ schema_name }}', '{{ role_name }}');
    end if;
end
$usage$
{%- endmacro %}
