-- depends_on: {{ ref('fct_lead_teams') }}
-- The agents' teams as fct_lead_teams was last built with them (a call without a team counts for its
-- agent's team, docs/api-reference.md §1). Built after fct_lead_teams, so during the next run, when
-- fct_leads runs, it still holds this run's teams: fct_leads reloads the leads of the calls without a
-- team of every agent whose team is no longer the one built (moved, new with a team, or deleted),
-- whatever the users row's updated_at says (DECISIONLOG 104). It travels with its copy of the marts.
with agents as (
    select * from {{ ref('dim_agents') }}
),

final as (
    select
        agent_id::bigint as agent_id,
        tenant_id::bigint as tenant_id,
        team_id::bigint as team_id
    from agents
)

select * from final
