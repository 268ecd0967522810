{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'lead_block'],
        indexes=[
            {'columns': ['tenant_id', 'agent_id', 'lead_block']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Per agent and block of lead ids, one bitmap per funnel stage of the block's regular leads (no calls
-- before creation, none in another campaign) that the agent's calls reached: the funnel and lead-source
-- attribution under an agent filter unite a few agents' bitmaps with a bitwise OR instead of grouping
-- their calls per lead (DECISIONLOG 75). Stages as fct_leads' milestones: a regular lead's calls are all
-- at or after its creation. A row with agent_id null marks every block that holds a lead, so that an
-- incremental run, which replaces its blocks whole (delete+insert on the block), always has a row for
-- each of them. Incremental: the blocks of the leads fct_leads (re)loaded since the last run, each agent's
-- stored bits of those leads cleared and set again from their calls as they are now.
with leads as not materialized (
    select * from {{ ref('fct_leads') }}
),

calls as not materialized (
    select * from {{ ref('fct_calls') }}
),

{% if is_incremental() %}
    scoped_leads as (
        select
            leads.tenant_id,
            leads.lead_id,
            leads.has_irregular_calls
        from leads
        where leads.dbt_loaded_at > {{ max_of_this('dbt_loaded_at') }}
    ),

    blocks as (
        select
            scoped_leads.tenant_id,
            {{ lead_block('scoped_leads.lead_id') }} as lead_block,
            {{ lead_bitmap('scoped_leads.lead_id') }} as changed
        from scoped_leads
        group by scoped_leads.tenant_id, {{ lead_block('scoped_leads.lead_id') }}
    ),

    -- the stored bitmaps of those blocks without the bits of the changed leads
    kept as (
        select
            stored.tenant_id,
            stored.agent_id,
            stored.lead_block,
            stored.dialed & ~blocks.changed as dialed,
            stored.connected & ~blocks.changed as connected,
            stored.talked & ~blocks.changed as talked,
            stored.disposed & ~blocks.changed as disposed,
            stored.converted & ~blocks.changed as converted
        from {{ this }} as stored
        inner join blocks
            on
                stored.tenant_id = blocks.tenant_id
                and stored.lead_block = blocks.lead_block
        where stored.agent_id is not null
    ),
{% else %}
    scoped_leads as (
        select
            leads.tenant_id,
            leads.lead_id,
            leads.has_irregular_calls
        from leads
    ),

    blocks as (
        select distinct
            scoped_leads.tenant_id,
            {{ lead_block('scoped_leads.lead_id') }} as lead_block
        from scoped_leads
    ),
{% endif %}

agent_leads as (
    select
        calls.tenant_id,
        calls.agent_id,
        calls.lead_id,
        bool_or(calls.is_dial) as dialed,
        bool_or(calls.is_answered) as connected,
        bool_or(calls.is_talk_over_30s) as talked,
        bool_or(calls.is_disposed) as disposed,
        bool_or(calls.is_conversion) as converted
    from scoped_leads
    inner join calls
        on
            scoped_leads.tenant_id = calls.tenant_id
            and scoped_leads.lead_id = calls.lead_id
    where not scoped_leads.has_irregular_calls and calls.agent_id is not null
    group by calls.tenant_id, calls.agent_id, calls.lead_id
),

reached as (
    select
        agent_leads.tenant_id,
        agent_leads.agent_id,
        {{ lead_block('agent_leads.lead_id') }} as lead_block,
        {{ lead_bitmap('agent_leads.lead_id', 'agent_leads.dialed') }} as dialed,
        {{ lead_bitmap('agent_leads.lead_id', 'agent_leads.connected') }} as connected,
        {{ lead_bitmap('agent_leads.lead_id', 'agent_leads.talked') }} as talked,
        {{ lead_bitmap('agent_leads.lead_id', 'agent_leads.disposed') }} as disposed,
        {{ lead_bitmap('agent_leads.lead_id', 'agent_leads.converted') }} as converted
    from agent_leads
    group by agent_leads.tenant_id, agent_leads.agent_id, {{ lead_block('agent_leads.lead_id') }}
),

merged as (
    {% if is_incremental() %}
        select
            tenant_id,
            agent_id,
            lead_block,
            bit_or(dialed) as dialed,
            bit_or(connected) as connected,
            bit_or(talked) as talked,
            bit_or(disposed) as disposed,
            bit_or(converted) as converted
        from (
            select * from kept
            union all
            select * from reached
        ) as both_parts
        group by tenant_id, agent_id, lead_block
    {% else %}
        select * from reached
    {% endif %}
),

final as (
    select
        merged.tenant_id::bigint as tenant_id,
        merged.agent_id::bigint as agent_id,
        merged.lead_block::bigint as lead_block,
        merged.dialed::bit varying as dialed,
        merged.connected::bit varying as connected,
        merged.talked::bit varying as talked,
        merged.disposed::bit varying as disposed,
        merged.converted::bit varying as converted,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from merged
    where bit_count(merged.dialed | merged.connected | merged.talked | merged.disposed | merged.converted) > 0
    union all
    select
        blocks.tenant_id::bigint as tenant_id,
        null::bigint as agent_id,
        blocks.lead_block::bigint as lead_block,
        {{ empty_lead_bitmap() }} as dialed,
        {{ empty_lead_bitmap() }} as connected,
        {{ empty_lead_bitmap() }} as talked,
        {{ empty_lead_bitmap() }} as disposed,
        {{ empty_lead_bitmap() }} as converted,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from blocks
)

select * from final
order by tenant_id, agent_id, lead_block
