-- One select, no CTEs (unlike the other staging models): PostgreSQL never flattens a view whose query
-- has a WITH into the query that reads it, so every join to such a view hashes the whole table, even
-- for a handful of rows (int_calls__conversion_flagged's calls -> leads: a scan of every lead for each
-- incremental fct_calls run). Flattened, a join probes the leads by key.
select
    id as lead_id,
    tenant_id,
    campaign_id,
    -- docs/api-reference.md §1: trimmed of any Unicode whitespace; null or blank -> "(unknown)".
    coalesce(nullif({{ trim_unicode_whitespace('source') }}, ''), '(unknown)') as lead_source,
    created_at,
    updated_at
from {{ source('raw', 'leads') }}
