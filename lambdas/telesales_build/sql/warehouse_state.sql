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

-- Upgrade: fct_calls' classification index (tenant_id, disposition_code, has_conversion_code,
-- has_unknown_disposition) gained has_unknown_disposition (DECISIONLOG 103), then became partial, over
-- the codes short enough for a btree entry, with an index of the calls whose code is longer (DECISIONLOG
-- 112): a whole-column index refused a dirty code over 2,704 bytes and stopped every build. A copy of the
-- marts built before loses its whole-column index here and gets the two (the model's post-hook,
-- classification_indexes, creates them with a new table), so the incremental run's probes for
-- re-classified codes stay index probes (on Citus they are a join and need no index).
do $upgrade$
declare
    copy text;
    old_index text;
begin
    if exists (select from pg_catalog.pg_extension where extname = 'citus') then
        return;
    end if;
    foreach copy in array array['marts', 'marts_next'] loop
        if to_regclass(format('%I.fct_calls', copy)) is null then
            continue;
        end if;
        for old_index in
            select indexname from pg_catalog.pg_indexes
            where schemaname = copy and tablename = 'fct_calls'
                and indexdef like '%(tenant_id, disposition_code%' and indexdef not like '% WHERE %'
        loop
            execute format('drop index %I.%I', copy, old_index);
        end loop;
        if not exists (
            select from pg_catalog.pg_indexes
            where schemaname = copy and tablename = 'fct_calls'
                and indexdef like '%(tenant_id, disposition_code, has_conversion_code, has_unknown_disposition) WHERE%'
        ) then
            execute format(
                'create index on %I.fct_calls (tenant_id, disposition_code, has_conversion_code,'
                ' has_unknown_disposition) where coalesce(octet_length(disposition_code) <= 2000, true)',
                copy
            );
        end if;
        if not exists (
            select from pg_catalog.pg_indexes
            where schemaname = copy and tablename = 'fct_calls' and indexdef like '%(tenant_id) WHERE%'
        ) then
            execute format(
                'create index on %I.fct_calls (tenant_id)'
                ' where not coalesce(octet_length(disposition_code) <= 2000, true)',
                copy
            );
        end if;
    end loop;
end
$upgrade$;
