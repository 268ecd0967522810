-- Indexes the project adds to the raw tables (the contract allows indexes of our own).
-- Incremental dbt models read changed rows by updated_at; the live figures of the API
-- (abandon-rate, health_calls_today) read raw.calls by campaign or caller ID and time.
create index if not exists calls_updated_at_idx on raw.calls (updated_at);
-- abandon-rate (live) counts a campaign's attempts by result over 30 days: index-only with the include.
drop index if exists raw.calls_campaign_started_idx;
create index if not exists calls_campaign_started_cover_idx on raw.calls (tenant_id, campaign_id, started_at) include (result);
-- No index holds a free-text column of raw.calls whole (caller_id, disposition_code): a btree entry
-- has a size limit (2,704 bytes), and a replicated row whose text is longer would be refused, stopping
-- replication (DECISIONLOG 112). The caller-ID index of earlier versions (no query reads raw by caller
-- ID) is dropped, and today's index covers the result only.
drop index if exists raw.calls_caller_started_idx;
do $cover$
begin
    if exists (
        select from pg_catalog.pg_indexes
        where schemaname = 'raw' and indexname = 'calls_started_cover_idx' and indexdef like '%caller_id%'
    ) then
        drop index raw.calls_started_cover_idx;
    end if;
end
$cover$;
create index if not exists leads_updated_at_idx on raw.leads (updated_at);
create index if not exists calls_lead_idx on raw.calls (tenant_id, lead_id);
-- A tenant's calls by time (the live answers before the first build, the benchmark's baselines).
create index if not exists calls_started_cover_idx on raw.calls (tenant_id, started_at) include (result);
