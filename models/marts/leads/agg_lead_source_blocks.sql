{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'lead_block'],
        pre_hook="{{ delete_changed_lead_blocks() }}",
        indexes=[
            {'columns': ['tenant_id', 'lead_block']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Per block of lead ids, lead source and UTC creation day, the bitmap of the block's regular leads (no
-- calls before creation, none in another campaign) of that source created that day, with their first and
-- last creation time and their latest call: the cohort that agg_agent_lead_blocks' bitmaps are masked
-- with (DECISIONLOG 75). A window holds the whole row when first and last creation fall inside it (always,
-- for a window of whole UTC days that meets the row), and the agents' bitmaps answer for it exactly when
-- its latest call is before the window's end; other rows are read from fct_leads and fct_calls.
-- Incremental: the blocks of the leads fct_leads (re)loaded since the last run, rebuilt whole (the
-- pre-hook deletes them first).
with leads as not materialized (
    select * from {{ ref('fct_leads') }}
),

calls as not materialized (
    select * from {{ ref('fct_calls') }}
),

scoped_leads as (
    select scoped.*
    from ({{ leads_in_changed_blocks('leads') }}) as scoped
    where not scoped.has_irregular_calls
),

last_calls as (
    {% if is_incremental() %}
        -- one probe per lead of the (tenant_id, lead_id, started_at) index: the touched blocks' leads
        -- are a few thousand, and a join was planned as a scan of every call
        select
            scoped_leads.tenant_id,
            scoped_leads.lead_id,
            latest.started_at as last_call_at
        from scoped_leads
        cross join lateral (
            select calls.started_at
            from calls
            where
                calls.tenant_id = scoped_leads.tenant_id
                and calls.lead_id = scoped_leads.lead_id
            order by calls.started_at desc
            limit 1
        ) as latest
    {% else %}
        select
            calls.tenant_id,
            calls.lead_id,
            max(calls.started_at) as last_call_at
        from scoped_leads
        inner join calls
            on
                scoped_leads.tenant_id = calls.tenant_id
                and scoped_leads.lead_id = calls.lead_id
        group by calls.tenant_id, calls.lead_id
    {% endif %}
),

per_source as (
    select
        scoped_leads.tenant_id,
        {{ lead_block('scoped_leads.lead_id') }} as lead_block,
        scoped_leads.lead_source,
        {{ utc_bin('scoped_leads.created_at', '1 day') }} as created_day,
        {{ lead_bitmap('scoped_leads.lead_id') }} as lead_mask,
        count(*) as leads,
        min(scoped_leads.created_at) as first_created_at,
        max(scoped_leads.created_at) as last_created_at,
        max(last_calls.last_call_at) as last_call_at
    from scoped_leads
    left join last_calls
        on
            scoped_leads.tenant_id = last_calls.tenant_id
            and scoped_leads.lead_id = last_calls.lead_id
    group by
        scoped_leads.tenant_id,
        {{ lead_block('scoped_leads.lead_id') }},
        scoped_leads.lead_source,
        {{ utc_bin('scoped_leads.created_at', '1 day') }}
),

final as (
    select
        tenant_id::bigint as tenant_id,
        lead_block::bigint as lead_block,
        lead_source::text as lead_source,
        created_day::timestamptz as created_day,
        lead_mask::bit varying as lead_mask,
        leads::integer as leads,
        first_created_at::timestamptz as first_created_at,
        last_created_at::timestamptz as last_created_at,
        last_call_at::timestamptz as last_call_at,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from per_source
)

select * from final
order by tenant_id, lead_block, lead_source, created_day
