-- Agents (raw.users) with their current team; the API resolves agent names, validates agent_ids and
-- applies the team filter's fallback (a call without a team counts for the agent's current team,
-- docs/api-reference.md §1) from here.
with source as (
    select * from {{ ref('stg_raw__users') }}
),

final as (
    select
        agent_id::bigint as agent_id,
        tenant_id::bigint as tenant_id,
        team_id::bigint as team_id,
        agent_name::text as agent_name,
        username::text as username,
        created_at::timestamptz as created_at,
        updated_at::timestamptz as updated_at
    from source
)

select * from final
