{% macro postgres__get_grant_sql(relation, privilege, grantees) -%}
    {#- Overrides dbt's `grant <privilege> on <relation> to <grantees>` (the `+grants` config) so that
        grantees that are not roles of this server are skipped instead of failing the build: a
        managed database whose build user cannot create roles still builds (docs/bi-access.md). -#}
do $grant$
declare
    grantee name;
begin
    for grantee in
        select rolname from pg_catalog.pg_roles
        where rolname = any(array[{% for name in grantees %}'{{ name }}'{{ ", " if not loop.last }}{% endfor %}]::name[])
    loop
        execute format('grant {{ privilege }} on %s to %I', '{{ relation.render() }}', grantee);
    end loop;
end
$grant$
{%- endmacro %}
