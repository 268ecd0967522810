-- Tables the application owns beyond the raw contract and the dbt marts.
create schema if not exists ops;

-- One row per campaign per 5-minute slot, written by the abandon-rate snapshot job
-- (docs/api-reference.md §3, abandon-rate). The primary key makes the job idempotent per slot.
create table if not exists ops.abandon_rate_snapshots (
    tenant_id           bigint not null,
    campaign_id         bigint not null,
    slot_at             timestamptz not null,
    snapshot_at         timestamptz not null,
    window_from         timestamptz not null,
    window_to           timestamptz not null,
    attempts_total      bigint not null,
    attempts_abandoned  bigint not null,
    abandon_rate_pct    numeric(7, 2) not null,
    limit_pct           numeric(5, 2) not null,
    is_breached         boolean not null,
    primary key (tenant_id, campaign_id, slot_at)
);

-- One row per build attempt (telesales_build/build_runs.py): when it ran, how it ended, how fresh raw
-- was (dbt source freshness) and where its dbt artifacts are. The API sends the finished_at of the
-- newest successful full build as X-Warehouse-Built-At. Rows older than 90 days are pruned.
create table if not exists ops.build_runs (
    run_id              uuid primary key,
    started_at          timestamptz not null,
    finished_at         timestamptz not null,
    outcome             text not null check (outcome in ('success', 'failed', 'skipped')),
    full_refresh        boolean not null,
    selection           text,
    source_freshness    text,
    artifacts_uri       text
);
create index if not exists build_runs_last_success on ops.build_runs (finished_at)
where outcome = 'success' and selection is null;

-- The tenants with an active campaign: the abandon-rate snapshot job reads them before it binds its
-- transactions to each tenant in turn. Row-level security binds the API's login to one tenant on raw
-- (roles.sql), so the list comes through this function, with its owner's rights and nothing but the
-- tenant ids. 'active' as in the dbt view live.live_campaigns (campaign_status is raw's status).
create or replace function ops.active_campaign_tenants()
returns setof bigint
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $function$
    select distinct campaigns.tenant_id from raw.campaigns as campaigns where campaigns.status = 'active'
    order by campaigns.tenant_id
$function$;
comment on function ops.active_campaign_tenants() is
'Tenants with an active campaign (the abandon-rate snapshot job); executable by telesales_api.';
revoke all on function ops.active_campaign_tenants() from public;
