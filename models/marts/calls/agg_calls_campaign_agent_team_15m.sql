{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'slot_start'],
        pre_hook="{{ delete_changed_periods('calls', 'slot_start', '15 minutes') }}",
        indexes=[
            {'columns': ['tenant_id', 'slot_start']},
            {'columns': ['tenant_id', 'campaign_id', 'slot_start']},
            {'columns': ['tenant_id', 'agent_id', 'slot_start']},
            {'columns': ['tenant_id', 'team_id', 'slot_start']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Call measures rolled up per tenant, 15-minute UTC slot, campaign, agent and the call's own
-- team. Every measure is additive, so any window made of whole slots, any filter on campaign /
-- agent / team and any timezone's hours, days and ISO weeks are sums of these rows.
-- Incremental: a run rebuilds every (tenant, slot) that holds a call fct_calls (re)loaded since
-- the previous run; `unique_key` is the slot, so delete+insert replaces the slot whole.
with scoped_calls as (
    {{ scope_to_changed_periods(ref('fct_calls'), 'started_at', '15 minutes', 'calls') }}
),

rolled_up as (
    select
        tenant_id,
        slot_start,
        campaign_id,
        agent_id,
        team_id,
        count(*) filter (where is_dial)::integer as dials,
        count(*) filter (where is_answered)::integer as answers,
        count(*) filter (where is_connected)::integer as connected_calls,
        count(*) filter (where is_abandoned)::integer as abandoned_calls,
        count(*) filter (where is_rejected)::integer as rejected_calls,
        count(*) filter (where is_pdpl_blocked)::integer as pdpl_blocked_calls,
        count(*) filter (where is_conversion)::integer as conversions,
        coalesce(sum(talk_sec) filter (where is_dial), 0)::bigint as talk_sec,
        coalesce(sum(handle_sec) filter (where is_dial), 0)::bigint as handle_sec
    from scoped_calls
    group by tenant_id, slot_start, campaign_id, agent_id, team_id
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        agent_id::bigint as agent_id,
        team_id::bigint as team_id,
        {{ cast_call_measures() }},
        slot_start::timestamptz as slot_start,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, agent_id, slot_start) order: agent- and team-filtered reports then read few, adjacent pages.
order by tenant_id, agent_id, slot_start
