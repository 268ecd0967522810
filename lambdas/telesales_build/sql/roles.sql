-- Roles and privileges for reading the warehouse (docs/bi-access.md). Idempotent; run by bootstrap
-- after ops_schema.sql when the current user may create roles (or the roles already exist).
--
--   telesales_reader         every mart, every tenant (internal BI)
--   telesales_tenant_reader  every mart, only the rows of the tenant its login is mapped to in
--                            ops.bi_tenant_roles (row-level security, macros/mart_row_level_security.sql)
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
        ['telesales_tenant_reader', 'Tenant-scoped BI logins are members: mart rows of their mapped tenant only.'],
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

-- Which tenant each tenant-scoped BI login (or group of logins) may see.
create table if not exists ops.bi_tenant_roles (
    role_name  name primary key,
    tenant_id  bigint not null
);
comment on table ops.bi_tenant_roles is
'Tenant of each tenant-scoped BI role (a login, or a group role whose members are logins); see docs/bi-access.md.';
revoke all on ops.bi_tenant_roles from public;

-- The tenant the session's login may see, for the row-level security policy of the marts.
-- Keyed on session_user (the login): inside a SECURITY DEFINER function current_user is the
-- function's owner, and a BI login that runs `set role telesales_tenant_reader` keeps its own
-- session_user. A mapping applies to the login itself and to the members of a mapped role (direct
-- or inherited membership, read from pg_auth_members so that a superuser is not a member of every
-- role). No mapping, or mappings to two different tenants: null, which matches no row.
create or replace function ops.bi_tenant_id()
returns bigint
language sql
stable
parallel safe
security definer
set search_path = pg_catalog, pg_temp
as $function$
    with recursive memberships (roleid) as (
        select oid from pg_catalog.pg_roles where rolname = session_user
        union
        select granted.roleid
        from pg_catalog.pg_auth_members as granted
        inner join memberships on granted.member = memberships.roleid
    )

    select case when count(distinct mapped.tenant_id) = 1 then min(mapped.tenant_id) end
    from ops.bi_tenant_roles as mapped
    inner join pg_catalog.pg_roles as roles on mapped.role_name = roles.rolname
    inner join memberships on roles.oid = memberships.roleid
$function$;
comment on function ops.bi_tenant_id() is
'Tenant of session_user (or of a role it belongs to) in ops.bi_tenant_roles; null when none or ambiguous.';
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
