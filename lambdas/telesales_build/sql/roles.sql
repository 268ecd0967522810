-- Roles and privileges for reading the warehouse (docs/bi-access.md). Idempotent; run by bootstrap
-- after ops_schema.sql when the current user may create roles (or the roles already exist).
--
--   telesales_reader         every mart, every tenant (internal BI)
--   telesales_tenant_reader  every mart, only the rows of the tenant whose group role
--                            (telesales_tenant_<id>, a member of this one) the login belongs to
--                            (row-level security, macros/mart_row_level_security.sql)
--   telesales_api            the API's login (itself, or a member): the marts, the raw tables the API reads
--                            (directly and through the dbt views) and the abandon-rate snapshots, each
--                            only for the tenant its transaction sets (row-level security)
--
-- Access to the marts themselves (select + policies) is granted by dbt (dbt_project.yml `+grants`
-- and the RLS post-hook): materialized tables are re-created on a full refresh.

-- Group roles: NOLOGIN, created once per cluster. Two databases of one server can bootstrap at the
-- same time, so losing the race to create a role is not an error.
do $roles$
declare
    wanted constant text[][] := array[
        ['telesales_reader', 'Internal BI: reads every mart, all tenants.'],
        ['telesales_tenant_reader', 'Tenant-scoped BI logins (through telesales_tenant_<id>): mart rows of that tenant only.'],
        ['telesales_api', 'The report API''s login is a member: marts, the raw tables its live answers read, snapshots.']
    ];
    i integer;
begin
    for i in 1 .. array_length(wanted, 1) loop
        if not exists (select from pg_catalog.pg_roles where rolname = wanted[i][1]) then
            begin
                execute format('create role %I nologin', wanted[i][1]);
                execute format('comment on role %I is %L', wanted[i][1], wanted[i][2]);
            exception when duplicate_object or unique_violation then
                null;  -- created by a concurrent bootstrap
            end;
        end if;
    end loop;
end
$roles$;

-- Which tenant each tenant-scoped BI login may see: membership in the group role of that tenant,
-- `telesales_tenant_<tenant id>` (NOLOGIN, itself a member of telesales_tenant_reader), directly or
-- through other roles. The mapping lives in the role catalog, which every node of a Citus cluster
-- has (Citus propagates roles and role grants), so the policy can read it inside a shard query; a
-- login cannot change it (granting a role needs its ADMIN option). DECISIONLOG 23, 42.
--
-- Earlier versions kept the mapping in a table, ops.bi_tenant_roles: its rows become grants of the
-- tenant roles, then the table goes.
do $tenant_roles$
declare
    mapped record;
    tenant_role text;
begin
    if to_regclass('ops.bi_tenant_roles') is null then
        return;
    end if;
    for mapped in
        execute 'select role_name, tenant_id from ops.bi_tenant_roles order by tenant_id, role_name'
    loop
        continue when not exists (select from pg_catalog.pg_roles where rolname = mapped.role_name);
        tenant_role := 'telesales_tenant_' || mapped.tenant_id;
        if not exists (select from pg_catalog.pg_roles where rolname = tenant_role) then
            execute format('create role %I nologin in role telesales_tenant_reader', tenant_role);
        end if;
        execute format('grant %I to %I', tenant_role, mapped.role_name);
    end loop;
    drop table ops.bi_tenant_roles;
exception when insufficient_privilege then
    -- a build user without CREATEROLE (or without ADMIN on a tenant role): nothing is migrated, the
    -- table stays, its logins see no rows until someone who may runs this script once
    raise warning 'ops.bi_tenant_roles not migrated to tenant roles (docs/bi-access.md): %', sqlerrm;
end
$tenant_roles$;

-- The tenant the session's login may see, for the row-level security policy of the marts.
-- Keyed on session_user (the login): a BI login that runs `set role telesales_tenant_reader` keeps it,
-- and on Citus the workers' session_user is the login the coordinator connects as, the querying one.
-- Membership is read from pg_auth_members (a superuser is not a member of every role there), direct or
-- inherited. No tenant role, or roles of two different tenants: null, which matches no row. Reads the
-- catalog only (no table: Citus refuses a distributed query inside a shard query); stable, so the
-- policy stays an index condition.
create or replace function ops.bi_tenant_id()
returns bigint
language sql
stable
parallel safe
security invoker
set search_path = pg_catalog, pg_temp
as $function$
    with recursive memberships (roleid) as (
        select oid from pg_catalog.pg_roles where rolname = session_user
        union
        select granted.roleid
        from pg_catalog.pg_auth_members as granted
        inner join memberships on granted.member = memberships.roleid
    ),

    tenants as (
        select substr(roles.rolname, length('telesales_tenant_') + 1)::bigint as tenant_id
        from pg_catalog.pg_roles as roles
        inner join memberships on roles.oid = memberships.roleid
        where roles.rolname ~ '^telesales_tenant_[0-9]{1,18}$'
    )

    select case when count(distinct tenant_id) = 1 then min(tenant_id) end
    from tenants
$function$;
comment on function ops.bi_tenant_id() is
'Tenant of session_user: the N of the telesales_tenant_N role it belongs to; null when none or ambiguous.';
revoke all on function ops.bi_tenant_id() from public;
grant execute on function ops.bi_tenant_id() to telesales_tenant_reader;

-- The readers reach the marts only. New schemas grant nothing to PUBLIC; raw is the project's own,
-- so close it explicitly; staging and intermediate (dbt views over raw) likewise once dbt made them.
revoke all on schema raw from public;
do $close$
declare
    schema_name text;
begin
    foreach schema_name in array array['staging', 'intermediate'] loop
        if exists (select from pg_catalog.pg_namespace where nspname = schema_name) then
            execute format('revoke all on schema %I from public', schema_name);
        end if;
    end loop;
end
$close$;

-- Schema usage; select on each mart comes from dbt's grants. Created here (dbt would create it on
-- its first run) so the grant exists before the first build.
create schema if not exists marts;
grant usage on schema marts to telesales_reader, telesales_tenant_reader, telesales_api;
grant usage on schema ops to telesales_tenant_reader, telesales_api;  -- ops.bi_tenant_id(); snapshots

-- The API: live figures (abandon-rate, health_calls_today) and the snapshot job.
grant usage on schema raw to telesales_api;
-- every raw table the live answers read through the dbt views: on Citus the workers check the
-- querying role's rights on each shard, not the view owner's
grant select on raw.calls, raw.leads, raw.campaigns, raw.teams, raw.users, raw.dispositions, raw.caller_ids
to telesales_api;
grant select, insert on ops.abandon_rate_snapshots to telesales_api;
grant select on ops.build_runs to telesales_api;  -- X-Warehouse-Built-At

-- Nobody but the owner creates objects in public (the default before PostgreSQL 15): a login that could
-- create public.f(...) with an exact match for a call the build or the API makes would run its code
-- as them. And every role this script creates resolves unqualified names in the system catalog only,
-- when it logs in itself (the API's login does; the API also pins search_path per transaction).
-- Either needs a privilege a managed build user may lack: then a warning, and an administrator runs
-- this script once (docs/bi-access.md).
do $harden$
declare
    role_name text;
begin
    begin
        revoke create on schema public from public;
    exception when insufficient_privilege or invalid_schema_name then
        raise warning 'could not revoke CREATE on schema public from PUBLIC: %', sqlerrm;
    end;
    foreach role_name in array array['telesales_reader', 'telesales_tenant_reader', 'telesales_api'] loop
        begin
            execute format('alter role %I set search_path = pg_catalog, pg_temp', role_name);
        exception when insufficient_privilege then
            raise warning 'could not pin search_path of role %: %', role_name, sqlerrm;
        end;
    end loop;
end
$harden$;

-- The API's login is bound to the tenant its transaction sets (db/connection.py, from the JWT) on every
-- table of its own it can read, as on the marts (macros/mart_row_level_security.sql): the snapshots it
-- reads and writes, and every raw table it reads, directly (abandon-rate, filter lists) or through the
-- dbt views of the live answers (they run with the invoker's rights). A query that forgets its tenant
-- filter reads nothing (DECISIONLOG 52, 60). The policies name telesales_api alone: the tables' owner
-- (the build user; a replication apply worker runs as the table owner) is not bound by row-level
-- security, and no other role has rights on raw. A plain comparison with a stable value: an index
-- condition on the tenant-leading indexes. Enabling it needs the table's owner: otherwise a warning,
-- and the owner runs this script once.
do $api_tenant$
declare
    api_tenant constant text := 'tenant_id = nullif(current_setting(''telesales.tenant_id'', true), '''')::bigint';
    secured record;
begin
    for secured in
        select to_regclass(table_name) as relation, command
        from (values
            ('ops.abandon_rate_snapshots', 'all'),
            ('raw.calls', 'select'),
            ('raw.leads', 'select'),
            ('raw.campaigns', 'select'),
            ('raw.teams', 'select'),
            ('raw.users', 'select'),
            ('raw.dispositions', 'select'),
            ('raw.caller_ids', 'select')
        ) as api_tables (table_name, command)
    loop
        continue when secured.relation is null;
        begin
            if not (select relrowsecurity from pg_catalog.pg_class where oid = secured.relation) then
                execute format('alter table %s enable row level security', secured.relation);
            end if;
            if not exists (
                select from pg_catalog.pg_policy
                where polrelid = secured.relation and polname = 'telesales_api_tenant'
            ) then
                execute format(
                    'create policy telesales_api_tenant on %s for %s to telesales_api using (%s)%s',
                    secured.relation,
                    secured.command,
                    api_tenant,
                    case when secured.command = 'all' then format(' with check (%s)', api_tenant) else '' end
                );
            end if;
        exception when insufficient_privilege then
            raise warning 'row-level security of % for telesales_api not set up: %', secured.relation, sqlerrm;
        end;
    end loop;
end
$api_tenant$;

-- The snapshot job lists the tenants with an active campaign (ops_schema.sql) before it binds each.
grant execute on function ops.active_campaign_tenants() to telesales_api;
