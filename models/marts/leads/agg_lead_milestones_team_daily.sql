{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'created_day'],
        pre_hook="{{ delete_changed_periods('leads', 'created_day', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'team_id', 'created_day']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Regular leads per tenant, team, source and UTC creation day, spread by the UTC day the team's calls
-- first reached each funnel milestone (fct_lead_teams; lead_milestone_rollup): the funnel and lead-source
-- attribution with a team filter and nothing narrower, over whole UTC days, sum these rows (DECISIONLOG 70).
-- Stored in (tenant_id, team_id, created_day) order: a team's days are adjacent pages.
{{ lead_milestone_rollup(ref('fct_lead_teams'), [('team_id', 'bigint')], 'tenant_id, team_id, created_day') }}
