{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'lead_id'],
        post_hook=["{{ log_fact_moves('leads') }}", "{{ align_call_lead_attributes() }}"],
        indexes=[
            {'columns': ['tenant_id', 'lead_id'], 'unique': True},
            {'columns': ['updated_at']},
            {'columns': ['tenant_id', 'created_at']},
            {'columns': ['tenant_id', 'campaign_id', 'created_at']},
            {'columns': ['tenant_id', 'has_irregular_calls', 'created_at']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- depends_on: {{ ref('dim_agents') }}
-- (read on incremental runs only: the agents whose team changed since the last run)

-- One row per lead with its funnel milestones: the first time (at or after the lead's creation)
-- it was dialed, answered, talked to for more than 30 s, dispositioned and converted, over all of
-- its calls. For a window [from, end) whose cohort holds the lead (from <= created_at < end), the
-- lead reached a stage with calls in the window exactly when the milestone is < end, unless the
-- lead has calls before its creation or in another campaign (`has_irregular_calls`). Calls before
-- creation are in the window exactly when they are at or after its start: the `last_early_*`
-- columns answer that. Calls in another campaign matter only under a campaign filter; the API then
-- reads those few leads' calls from fct_calls (docs/api-reference.md §3, funnel).
-- `not materialized`: each branch below must keep the indexes of the relations it reads.
with leads as not materialized (
    select * from {{ ref('stg_raw__leads') }}
),

calls as not materialized (
    select * from {{ ref('fct_calls') }}
),

{% if is_incremental() %}
    affected_leads as (
        select leads.lead_id
        from leads
        where
            leads.updated_at >= least({{ max_of_this('updated_at') }}, now())
            - interval '{{ var("incremental_lookback_hours") }} hours'
            and not {{ stored_as_is('leads', 'lead_id', 'lead_id') }}
        union
        select calls.lead_id
        from calls
        where
            calls.lead_id is not null
            and calls.dbt_loaded_at > {{ max_of_this('dbt_loaded_at') }}
        union
        -- the lead a call left (moved to another lead): it loses the call's milestones
        select moved.old_lead_id
        from ops.fact_moves as moved
        where
            moved.fact = 'calls'
            and moved.old_lead_id is not null
            and moved.logged_at > {{ max_of_this('dbt_loaded_at') }}
        union
        -- the leads of the calls without a team of an agent whose team changed since the last run: the
        -- agent's current team decides which team those calls count for (fct_lead_teams, DECISIONLOG
        -- 70). Changed: not the team fct_lead_teams was built with (dim_agent_teams_built, still the
        -- last run's here: it is built after fct_lead_teams; DECISIONLOG 104), so a move replicated
        -- with an old updated_at and a deleted agent count too. A copy of the marts built before that
        -- table existed falls back once to the agents updated within the look-back.
        {%- set built_teams = agent_teams_built() %}
        select calls.lead_id
        {%- if built_teams is not none %}
            from (
                select
                    coalesce(agents.tenant_id, built.tenant_id) as tenant_id,
                    coalesce(agents.agent_id, built.agent_id) as agent_id
                from {{ ref('dim_agents') }} as agents
                full outer join {{ built_teams }} as built
                    on
                        agents.tenant_id = built.tenant_id
                        and agents.agent_id = built.agent_id
                where agents.team_id is distinct from built.team_id
            ) as changed_agents
        {%- else %}
            from (
                select
                    agents.tenant_id,
                    agents.agent_id
                from {{ ref('dim_agents') }} as agents
                where
                    agents.updated_at >= {{ max_of_this('dbt_loaded_at') }}
                    - interval '{{ var("incremental_lookback_hours") }} hours'
            ) as changed_agents
        {%- endif %}
        inner join calls
            on
                changed_agents.tenant_id = calls.tenant_id
                and changed_agents.agent_id = calls.agent_id
        where
            calls.team_id is null
            and calls.lead_id is not null
    ),

    scoped_leads as (
        select leads.*
        from leads
        inner join affected_leads on leads.lead_id = affected_leads.lead_id
    ),
{% else %}
    scoped_leads as (
        select * from leads
    ),
{% endif %}

milestones as (
    select
        scoped_leads.lead_id,
        {{ lead_milestone_columns('calls', 'scoped_leads.created_at') }},
        coalesce(bool_or(calls.started_at < scoped_leads.created_at), false) as has_early_calls,
        coalesce(bool_or(calls.campaign_id <> scoped_leads.campaign_id), false) as has_foreign_campaign_calls
    from scoped_leads
    left join calls
        on
            scoped_leads.tenant_id = calls.tenant_id
            and scoped_leads.lead_id = calls.lead_id
    group by scoped_leads.lead_id
),

final as (
    select
        scoped_leads.lead_id::bigint as lead_id,
        scoped_leads.tenant_id::bigint as tenant_id,
        scoped_leads.campaign_id::bigint as campaign_id,
        scoped_leads.lead_source::text as lead_source,
        (milestones.has_early_calls or milestones.has_foreign_campaign_calls)::boolean as has_irregular_calls,
        milestones.has_early_calls::boolean as has_early_calls,
        milestones.has_foreign_campaign_calls::boolean as has_foreign_campaign_calls,
        scoped_leads.created_at::timestamptz as created_at,
        scoped_leads.updated_at::timestamptz as updated_at,
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
        {% if is_incremental() -%}
            stored.created_at::timestamptz as previous_created_at,
        {%- else -%}
            null::timestamptz as previous_created_at,
        {%- endif %}
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from scoped_leads
    inner join milestones on scoped_leads.lead_id = milestones.lead_id
    {% if is_incremental() -%}
        -- the creation time this load replaces: its day is rebuilt too (ops.fact_moves)
        -- (by tenant and id: the index's key; by id alone PostgreSQL before 18 scans every fact)
        left join {{ this }} as stored
            on
                scoped_leads.tenant_id = stored.tenant_id
                and scoped_leads.lead_id = stored.lead_id
    {%- endif %}
)

select * from final
