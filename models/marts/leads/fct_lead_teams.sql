{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'lead_id'],
        indexes=[
            {'columns': ['tenant_id', 'lead_id']},
            {'columns': ['tenant_id', 'created_at']},
            {'columns': ['tenant_id', 'team_id', 'has_irregular_calls', 'created_at']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- fct_leads' funnel milestones per lead and team: one row per lead and team whose calls reached it, the
-- team being the call's own, or the agent's current team (dim_agents) for a call without a team
-- (docs/api-reference.md §1, Filters), so a team filter counts "leads this team reached" as a sum of rows
-- (agg_lead_milestones_team_daily, DECISIONLOG 70). A lead whose calls have no team gets one row with
-- team_id null, so every lead fct_leads (re)loads has a row here and delete+insert on lead_id replaces
-- all of a lead's rows. Incremental: the leads fct_leads (re)loaded in this run, which include the leads
-- of the calls without a team of an agent changed since the last run.
-- `not materialized`: each branch below must keep the indexes of the relations it reads.
with leads as not materialized (
    select * from {{ ref('fct_leads') }}
),

calls as not materialized (
    select * from {{ ref('fct_calls') }}
),

{% if is_incremental() %}
    scoped_leads as (
        select * from leads
        where dbt_loaded_at > {{ max_of_this('dbt_loaded_at') }}
    ),
{% else %}
    scoped_leads as (
        select * from leads
    ),
{% endif %}

team_calls as (
    select
        calls.tenant_id,
        calls.lead_id,
        coalesce(calls.team_id, agents.team_id) as team_id,
        scoped_leads.created_at as lead_created_at,
        calls.started_at,
        calls.is_dial,
        calls.is_answered,
        calls.is_talk_over_30s,
        calls.is_disposed,
        calls.is_conversion
    from scoped_leads
    inner join calls
        on
            scoped_leads.tenant_id = calls.tenant_id
            and scoped_leads.lead_id = calls.lead_id
    left join {{ ref('dim_agents') }} as agents
        on
            calls.team_id is null
            and calls.tenant_id = agents.tenant_id
            and calls.agent_id = agents.agent_id
),

milestones as (
    select
        team_calls.lead_id,
        team_calls.team_id,
        {{ lead_milestone_columns('team_calls', 'team_calls.lead_created_at') }}
    from team_calls
    where team_calls.team_id is not null
    group by team_calls.lead_id, team_calls.team_id
),

final as (
    select
        scoped_leads.lead_id::bigint as lead_id,
        scoped_leads.tenant_id::bigint as tenant_id,
        milestones.team_id::bigint as team_id,
        scoped_leads.campaign_id::bigint as campaign_id,
        scoped_leads.lead_source::text as lead_source,
        scoped_leads.has_irregular_calls::boolean as has_irregular_calls,
        scoped_leads.created_at::timestamptz as created_at,
        milestones.first_dial_at::timestamptz as first_dial_at,
        milestones.first_answer_at::timestamptz as first_answer_at,
        milestones.first_talk_over_30s_at::timestamptz as first_talk_over_30s_at,
        milestones.first_disposed_at::timestamptz as first_disposed_at,
        milestones.first_conversion_at::timestamptz as first_conversion_at,
        milestones.last_early_dial_at::timestamptz as last_early_dial_at,
        milestones.last_early_answer_at::timestamptz as last_early_answer_at,
        milestones.last_early_talk_over_30s_at::timestamptz as last_early_talk_over_30s_at,
        milestones.last_early_disposed_at::timestamptz as last_early_disposed_at,
        milestones.last_early_conversion_at::timestamptz as last_early_conversion_at,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from scoped_leads
    left join milestones on scoped_leads.lead_id = milestones.lead_id
)

select * from final
-- Stored in (tenant_id, created_at) order: the rollup's changed days are adjacent pages.
order by tenant_id, created_at
