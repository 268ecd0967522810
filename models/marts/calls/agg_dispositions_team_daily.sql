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

-- Dials with a disposition per tenant, UTC day, code and the call's own team; the calls without a team per agent
-- instead (agent_id is set only on those rows): agg_dispositions_campaign_agent_team_daily without the campaign,
-- for disposition-breakdown with a team filter and nothing narrower (the two arms of DECISIONLOG 63, 64).
-- Stored in (tenant_id, team_id, agent_id, day_start) order: a team filter reads few, adjacent pages.
{{ coarser_rollup(
    'agg_dispositions_campaign_agent_team_daily',
    'day_start',
    '1 day',
    'day_start',
    [('team_id', 'bigint'), ('agent_id', 'bigint', 'case when team_id is null then agent_id end'), ('disposition_code', 'text')],
    [('dials', 'integer')],
    order_by='tenant_id, team_id, agent_id, day_start'
) }}
