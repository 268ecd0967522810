{% macro grant_schema_usage(schema_name, role_name) -%}
    {#- `usage` on a schema dbt creates, for a role of this server (skipped when the server does not
        have the role, like postgres__get_grant_sql). The views of one schema build on two threads:
        two grants at once update the same catalog row and one fails ("tuple concurrently updated",
        seen once in the suite). So the grant waits for a transaction-scoped lock on the schema's name
        and is skipped when the role already has the right (every build after the first). -#}
do $usage$
begin
    if exists (select from pg_catalog.pg_roles where rolname = '{{ role_name }}') then
        perform pg_advisory_xact_lock(hashtext('telesales grant usage on {{ schema_name }}'));
        if not has_schema_privilege('{{ role_name }}', '{{ schema_name }}', 'USAGE') then
            execute format('grant usage on schema %I to %I', '{{ schema_name }}', '{{ role_name }}');
        end if;
    end if;
end
$usage$
{%- endmacro %}
