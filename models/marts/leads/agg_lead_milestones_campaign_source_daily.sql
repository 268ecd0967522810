{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'created_day'],
        pre_hook="{{ delete_changed_periods('leads', 'created_day', '1 day') }}",
        indexes=[
            {'columns': ['tenant_id', 'created_day']},
            {'columns': ['tenant_id', 'campaign_id', 'created_day']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- Regular leads (no irregular calls) per tenant, campaign, source and UTC creation day, spread by the
-- UTC day each funnel milestone was first reached. For a window of whole UTC days [d0, d1) the
-- funnel counts the cohort's leads with a milestone day < d1 (docs/api-reference.md §3, funnel).
-- Leads with irregular calls are left out here: the API counts them from their calls.
with scoped as (
    {{ scope_to_changed_periods(ref('fct_leads'), 'created_at', '1 day', 'leads') }}
),

milestones as (
    select
        scoped.tenant_id,
        scoped.campaign_id,
        scoped.lead_source,
        scoped.period_start as created_day,
        reached.stage,
        reached.reached_day
    from scoped
    cross join
        lateral (
            values
            ('lead', scoped.period_start),
            ('dialed', {{ utc_bin('scoped.first_dial_at', '1 day') }}),
            ('connected', {{ utc_bin('scoped.first_answer_at', '1 day') }}),
            ('talked', {{ utc_bin('scoped.first_talk_over_30s_at', '1 day') }}),
            ('disposed', {{ utc_bin('scoped.first_disposed_at', '1 day') }}),
            ('converted', {{ utc_bin('scoped.first_conversion_at', '1 day') }})
        ) as reached (stage, reached_day)
    where not scoped.has_irregular_calls and reached.reached_day is not null
),

rolled_up as (
    select
        tenant_id,
        campaign_id,
        lead_source,
        created_day,
        reached_day,
        count(*) filter (where stage = 'lead') as leads,
        count(*) filter (where stage = 'dialed') as dialed,
        count(*) filter (where stage = 'connected') as connected,
        count(*) filter (where stage = 'talked') as talked,
        count(*) filter (where stage = 'disposed') as disposed,
        count(*) filter (where stage = 'converted') as converted
    from milestones
    group by tenant_id, campaign_id, lead_source, created_day, reached_day
),

final as (
    select
        tenant_id::bigint as tenant_id,
        campaign_id::bigint as campaign_id,
        lead_source::text as lead_source,
        leads::integer as leads,
        dialed::integer as dialed,
        connected::integer as connected,
        talked::integer as talked,
        disposed::integer as disposed,
        converted::integer as converted,
        created_day::timestamptz as created_day,
        reached_day::timestamptz as reached_day,
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from rolled_up
)

select * from final
-- Stored in (tenant_id, campaign_id, created_day) order: a campaign's days are adjacent pages.
order by tenant_id, campaign_id, created_day
