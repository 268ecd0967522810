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
