{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'day_start'],
        pre_hook="{{ delete_changed_periods('calls', 'day_start', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'team_id', 'day_start']},
            {'columns': ['tenant_id', 'agent_id', 'day_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- The caller-id-health measures per tenant, UTC day, caller ID and the call's own team; the calls without a
-- team per agent instead (agent_id is set only on those rows), for caller-id-health and carrier-health with a
-- team filter and nothing narrower: the two arms of the filter (DECISIONLOG 63, 64, 69) are each one index range.
-- Stored in (tenant_id, team_id, agent_id, day_start) order: a team filter reads few, adjacent pages.
{{ caller_id_rollup(
    [('team_id', 'bigint', 'team_id'), ('agent_id', 'bigint', 'case when team_id is null then agent_id end')],
    'tenant_id, team_id, agent_id, day_start'
) }}
