-- Assert that every attempt rollup holds exactly the dials of the call facts by attempt number, per
-- tenant, UTC day and attempt (a day not rebuilt after a renumbering or a move would show here). A
-- whole audit checks every day; an incremental build's audit the days it touched
-- (macros/audit_scope.sql), so its cost follows the rows that changed.
{%- set rollups = [
    'agg_attempts_campaign_agent_team_daily', 'agg_attempts_tenant_daily',
    'agg_attempts_campaign_daily', 'agg_attempts_agent_team_daily'] %}
{%- set touched = touched_call_periods('1 day', rollups, 'day_start') %}
with from_facts as (
    select
        tenant_id,
        period_start,
        least(attempt_number, 10) as attempt,
        count(*) as dials,
        count(*) filter (where is_answered) as answers,
        count(*) filter (where is_conversion) as conversions,
        coalesce(sum(talk_sec), 0) as talk_sec
    from ({{ audited_rows(ref('fct_calls'), 'started_at', '1 day', touched) }}) as facts
    where is_dial and attempt_number is not null
    group by tenant_id, period_start, least(attempt_number, 10)
),

rollups as (
    {%- for rollup in rollups %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ rollup }}' as rollup,
            tenant_id,
            period_start,
            attempt,
            sum(dials) as dials,
            sum(answers) as answers,
            sum(conversions) as conversions,
            sum(talk_sec) as talk_sec
        from ({{ audited_rows(ref(rollup), 'day_start', '1 day', touched) }}) as rolled_up
        group by tenant_id, period_start, attempt
    {%- endfor %}
),

expected as (
    select
        names.rollup,
        from_facts.*
    from from_facts
    cross join (
        values
        {%- for rollup in rollups %}
            ('{{ rollup }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as names (rollup)
)

select
    coalesce(expected.rollup, rollups.rollup) as rollup,
    coalesce(expected.tenant_id, rollups.tenant_id) as tenant_id,
    coalesce(expected.period_start, rollups.period_start) as day_start,
    coalesce(expected.attempt, rollups.attempt) as attempt
from expected
full outer join rollups
    on
        expected.rollup = rollups.rollup
        and expected.tenant_id = rollups.tenant_id
        and expected.period_start = rollups.period_start
        and expected.attempt = rollups.attempt
where
    (expected.dials, expected.answers, expected.conversions, expected.talk_sec)
    is distinct from (rollups.dials, rollups.answers, rollups.conversions, rollups.talk_sec)
