-- Indexes the project adds to the raw tables (the contract allows indexes of our own).
-- Incremental dbt models read changed rows by updated_at; the live figures of the API
-- (abandon-rate, health_calls_today) read raw.calls by campaign or caller ID and time.
create index if not exists calls_updated_at_idx on raw.calls (updated_at);
-- abandon-rate (live) counts a campaign's attempts by result over 30 days: index-only with the include.
drop index if exists raw.calls_campaign_started_idx;
create index if not exists calls_campaign_started_cover_idx on raw.calls (tenant_id, campaign_id, started_at) include (result);
create index if not exists calls_caller_started_idx on raw.calls (tenant_id, caller_id, started_at);
create index if not exists leads_updated_at_idx on raw.leads (updated_at);
create index if not exists calls_lead_idx on raw.calls (tenant_id, lead_id);
-- health_calls_today reads today's attempts of a tenant: an index-only scan with this one.
create index if not exists calls_started_cover_idx on raw.calls (tenant_id, started_at) include (caller_id, result);
