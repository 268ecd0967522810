-- sqlfluff:exclude_rules:LT02,ST06,AM04,RF04
-- (LT02: sqlfluff cannot place the loops that write one line per key; the models it renders pass it.)
{% macro lead_milestone_rollup(relation, keys, order_by) -%}
    {#- The body of a daily lead-milestone rollup read from a lead fact (`relation`: fct_leads, or
        fct_lead_teams with one row per lead and team): its regular leads (no irregular calls) per
        tenant, `keys` ((name, type)), source and UTC creation day, spread by the UTC day each funnel
        milestone was first reached. For a window of whole UTC days [d0, d1) the funnel counts the
        cohort's leads with a milestone day < d1 (docs/api-reference.md §3, funnel); leads with
        irregular calls are left out (the API answers them from their own columns or calls).
        Incremental: the changed creation days of fct_leads are rebuilt whole. -#}
with scoped as (
    {{ scope_to_changed_periods(relation, 'created_at', '1 day', 'leads') }}
),

milestones as (
    select
        scoped.tenant_id,{% for key in keys %}
        scoped.{{ key[0] }},{% endfor %}
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
    where not scoped.has_irregular_calls and reached.reached_day is not null{% for key in keys %}
        and scoped.{{ key[0] }} is not null{% endfor %}
),

rolled_up as (
    select
        tenant_id,{% for key in keys %}
        {{ key[0] }},{% endfor %}
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
    group by tenant_id, {% for key in keys %}{{ key[0] }}, {% endfor %}lead_source, created_day, reached_day
),

final as (
    select
        tenant_id::bigint as tenant_id,{% for key in keys %}
        {{ key[0] }}::{{ key[1] }} as {{ key[0] }},{% endfor %}
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
order by {{ order_by }}
{%- endmacro %}
