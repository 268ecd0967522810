-- Assert that the 15-minute rollup holds exactly the measures of the call facts it comes from, per
-- tenant and slot (an incremental run that missed, double-counted or left behind a slot would show
-- here). A whole audit checks every slot; an incremental build's audit the slots it touched
-- (macros/audit_scope.sql), so its cost follows the rows that changed.
{%- set touched = touched_call_periods('15 minutes', ['agg_calls_campaign_agent_team_15m'], 'slot_start') %}
with from_facts as (
    select
        tenant_id,
        period_start,
        count(*) filter (where is_dial) as dials,
        count(*) filter (where is_answered) as answers,
        count(*) filter (where is_conversion) as conversions,
        count(*) filter (where is_pdpl_blocked) as pdpl_blocked_calls,
        coalesce(sum(talk_sec) filter (where is_dial), 0) as talk_sec,
        coalesce(sum(handle_sec) filter (where is_dial), 0) as handle_sec
    from ({{ audited_rows(ref('fct_calls'), 'started_at', '15 minutes', touched) }}) as facts
    group by tenant_id, period_start
),

from_rollup as (
    select
        tenant_id,
        period_start,
        sum(dials) as dials,
        sum(answers) as answers,
        sum(conversions) as conversions,
        sum(pdpl_blocked_calls) as pdpl_blocked_calls,
        sum(talk_sec) as talk_sec,
        sum(handle_sec) as handle_sec
    from ({{ audited_rows(ref('agg_calls_campaign_agent_team_15m'), 'slot_start', '15 minutes', touched) }}) as rollup
    group by tenant_id, period_start
)

select
    coalesce(from_facts.tenant_id, from_rollup.tenant_id) as tenant_id,
    coalesce(from_facts.period_start, from_rollup.period_start) as slot_start
from from_facts
full outer join from_rollup
    on
        from_facts.tenant_id = from_rollup.tenant_id
        and from_facts.period_start = from_rollup.period_start
where
    (
        from_facts.dials, from_facts.answers, from_facts.conversions, from_facts.pdpl_blocked_calls,
        from_facts.talk_sec, from_facts.handle_sec
    )
    is distinct from (
        from_rollup.dials, from_rollup.answers, from_rollup.conversions, from_rollup.pdpl_blocked_calls,
        from_rollup.talk_sec, from_rollup.handle_sec
    )
