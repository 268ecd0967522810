-- Assert that every attempt rollup holds exactly the dials of the call facts by attempt number, per
-- tenant and attempt (a day not rebuilt after a renumbering would show here).
with from_facts as (
    select
        tenant_id,
        least(attempt_number, 10) as attempt,
        count(*) as dials,
        count(*) filter (where is_answered) as answers,
        count(*) filter (where is_conversion) as conversions,
        coalesce(sum(talk_sec), 0) as talk_sec
    from {{ ref('fct_calls') }}
    where is_dial and attempt_number is not null
    group by tenant_id, least(attempt_number, 10)
),

rollups as (
    {%- for rollup in [
        'agg_attempts_campaign_agent_team_daily', 'agg_attempts_tenant_daily',
        'agg_attempts_campaign_daily', 'agg_attempts_agent_team_daily'] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ rollup }}' as rollup,
            tenant_id,
            attempt,
            sum(dials) as dials,
            sum(answers) as answers,
            sum(conversions) as conversions,
            sum(talk_sec) as talk_sec
        from {{ ref(rollup) }}
        group by tenant_id, attempt
    {%- endfor %}
),

expected as (
    select
        names.rollup,
        from_facts.*
    from from_facts
    cross join (
        values
        ('agg_attempts_campaign_agent_team_daily'), ('agg_attempts_tenant_daily'),
        ('agg_attempts_campaign_daily'), ('agg_attempts_agent_team_daily')
    ) as names (rollup)
)

select
    coalesce(expected.rollup, rollups.rollup) as rollup,
    coalesce(expected.tenant_id, rollups.tenant_id) as tenant_id,
    coalesce(expected.attempt, rollups.attempt) as attempt
from expected
full outer join rollups
    on
        expected.rollup = rollups.rollup
        and expected.tenant_id = rollups.tenant_id
        and expected.attempt = rollups.attempt
where
    (expected.dials, expected.answers, expected.conversions, expected.talk_sec)
    is distinct from (rollups.dials, rollups.answers, rollups.conversions, rollups.talk_sec)
