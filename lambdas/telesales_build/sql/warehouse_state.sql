-- What the build records about itself, so that incremental runs stay exact and the API can fold the
-- rows that arrived since the last build into its answers (README, "Live answers").
create schema if not exists ops;

-- Old keys of fact rows that an incremental run replaced with another period or lead (written by the
-- post-hooks of fct_calls and fct_leads, macros/log_fact_moves.sql). The rollups rebuild the old
-- periods and fct_leads the lead a call left; the log outlives a failed build. Pruned once every
-- model has consumed it (build.py).
create table if not exists ops.fact_moves (
    fact         text not null,          -- 'calls' (old_at = started_at) or 'leads' (old_at = created_at)
    tenant_id    bigint not null,
    id           bigint not null,        -- call_id or lead_id
    old_at       timestamptz not null,
    old_lead_id  bigint,                 -- calls: the lead the call left
    logged_at    timestamptz not null    -- the dbt run that replaced the row
);
create index if not exists fact_moves_logged_idx on ops.fact_moves (fact, logged_at);

-- One row per published build: raw was read from `cutoff_at` on (taken before dbt read raw). Every
-- row of raw.calls / raw.leads with updated_at >= cutoff_at - the replication allowance may be newer
-- than the marts, and the API folds those in live.
create table if not exists ops.warehouse_builds (
    build_id      bigserial primary key,
    cutoff_at     timestamptz not null,
    started_at    timestamptz not null,
    published_at  timestamptz not null default clock_timestamp(),
    full_refresh  boolean not null
);
-- whether the build's tests audited every row (else the periods it touched: telesales_build.audit)
alter table ops.warehouse_builds add column if not exists whole_audit boolean not null default true;

-- The live delta: a tenant's rows changed since the cutoff, by index.
create index if not exists calls_tenant_updated_idx on raw.calls (tenant_id, updated_at);
create index if not exists leads_tenant_updated_idx on raw.leads (tenant_id, updated_at);
create index if not exists leads_tenant_created_idx on raw.leads (tenant_id, created_at);

-- The API reads the cutoff of the published build and the rows changed since through the dbt staging
-- and intermediate views (select on each view is granted by dbt, dbt_project.yml); skipped where the
-- role does not exist. The schemas are created here so the usage grant exists before the first build.
create schema if not exists staging;
create schema if not exists intermediate;
do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'telesales_api') then
        grant usage on schema ops, staging, intermediate to telesales_api;
        grant select on ops.warehouse_builds to telesales_api;
    end if;
end
$grants$;

-- Upgrade: fct_calls' classification index gained has_unknown_disposition (DECISIONLOG 103), which
-- dbt creates only with a new table. A copy of the marts built before gets it here, once, so the
-- incremental run's probes for re-classified disposition codes stay index probes (on Citus they are
-- a join and need no index).
do $upgrade$
declare
    copy text;
begin
    if exists (select from pg_catalog.pg_extension where extname = 'citus') then
        return;
    end if;
    foreach copy in array array['marts', 'marts_next'] loop
        if to_regclass(format('%I.fct_calls', copy)) is not null and not exists (
            select
            from pg_catalog.pg_index as i
            where
                i.indrelid = to_regclass(format('%I.fct_calls', copy))
                and i.indkey::text = (
                    select string_agg(a.attnum::text, ' ' order by k.ord)
                    from unnest(array[
                        'tenant_id', 'disposition_code', 'has_conversion_code', 'has_unknown_disposition'
                    ]) with ordinality as k (name, ord)
                    inner join pg_catalog.pg_attribute as a
                        on a.attrelid = i.indrelid and a.attname = k.name
                )
        ) then
            execute format(
                'create index fct_calls_disposition_flags_idx on %I.fct_calls '
                '(tenant_id, disposition_code, has_conversion_code, has_unknown_disposition)',
                copy
            );
        end if;
    end loop;
end
$upgrade$;
