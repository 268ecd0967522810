{% macro mart_row_level_security(relation=none) -%}
    {#- Post-hook of every mart (docs/bi-access.md): enable row-level security and (re)create the
        policies of the BI/API roles that exist. A DO block, so it decides at run time and is cheap
        when nothing changed: an incremental run finds everything in place and takes no lock; a
        re-created table (full refresh) gets everything again, in the model's transaction, before
        its grants. A missing role (a managed database where the build user cannot create roles)
        or a missing ops.bi_tenant_id() drops that policy instead of failing the build; with no
        policy, row-level security denies every row to anyone but the owner (who bypasses it). -#}
    {%- set relation = relation if relation is not none else this -%}
do $rls$
declare
    mart constant regclass := '{{ relation }}'::regclass;
    wanted_policy record;
    existing name[];
    -- The subquery evaluates the function once per query, not per row. Citus cannot send a policy with
    -- a subquery to its shards, so there the function is called directly (same rows; stable, and
    -- evaluated once per index scan).
    own_tenant constant text := case
        when exists (select from pg_catalog.pg_extension where extname = 'citus')
            then 'tenant_id = ops.bi_tenant_id()'
        else 'tenant_id = (select ops.bi_tenant_id())'
    end;
begin
    if not exists (
        select from pg_catalog.pg_attribute
        where attrelid = mart and attname = 'tenant_id' and not attisdropped
    ) then
        raise exception 'mart % has no tenant_id column: row-level security needs one', mart;
    end if;
    if not (select relrowsecurity from pg_catalog.pg_class where oid = mart) then
        execute format('alter table %s enable row level security', mart);
    end if;
    for wanted_policy in
        select
            wanted.policy_name,
            wanted.using_clause,
            array(
                select rolname from pg_catalog.pg_roles
                where rolname = any(wanted.role_names)
                order by rolname
            ) as role_names,
            wanted.needs_function
        from (values
            -- every tenant: internal BI
            ('telesales_all_tenants', 'true', array['telesales_reader']::name[], false),
            -- the API: only the tenant its transaction set (db/connection.py, from the JWT), so a
            -- query that forgot its tenant filter reads nothing; a plain comparison with a stable
            -- value, so the planner uses it as an index condition on tenant_id (DECISIONLOG 52)
            ('telesales_api_tenant',
                'tenant_id = nullif(current_setting(''telesales.tenant_id'', true), '''')::bigint',
                array['telesales_api']::name[], false),
            -- the session's tenant
            ('telesales_own_tenant', own_tenant,
                array['telesales_tenant_reader']::name[], true)
        ) as wanted (policy_name, using_clause, role_names, needs_function)
    loop
        if wanted_policy.needs_function and to_regprocedure('ops.bi_tenant_id()') is null then
            wanted_policy.role_names := '{}';
        end if;
        select array(select rolname from pg_catalog.pg_roles where oid = any(polroles) order by rolname)
        into existing
        from pg_catalog.pg_policy
        where polrelid = mart and polname = wanted_policy.policy_name;
        continue when existing is not distinct from wanted_policy.role_names
            or (existing is null and cardinality(wanted_policy.role_names) = 0);
        execute format('drop policy if exists %I on %s', wanted_policy.policy_name, mart);
        if cardinality(wanted_policy.role_names) > 0 then
            execute format(
                'create policy %I on %s as permissive for select to %s using (%s)',
                wanted_policy.policy_name,
                mart,
                (select string_agg(quote_ident(role_name), ', ') from unnest(wanted_policy.role_names) as role_name),
                wanted_policy.using_clause
            );
        end if;
    end loop;
end
$rls$
{%- endmacro %}
