-- Assert that the 15-minute rollup holds exactly the measures of the call facts it comes from,
-- per tenant (an incremental run that missed or double-counted a slot would show here).
with from_facts as (
    select
        tenant_id,
        count(*) filter (where is_dial) as dials,
        count(*) filter (where is_answered) as answers,
        count(*) filter (where is_conversion) as conversions,
        count(*) filter (where is_pdpl_blocked) as pdpl_blocked_calls,
        coalesce(sum(talk_sec) filter (where is_dial), 0) as talk_sec,
        coalesce(sum(handle_sec) filter (where is_dial), 0) as handle_sec
    from {{ ref('fct_calls') }}
    group by tenant_id
),

from_rollup as (
    select
        tenant_id,
        sum(dials) as dials,
        sum(answers) as answers,
        sum(conversions) as conversions,
        sum(pdpl_blocked_calls) as pdpl_blocked_calls,
        sum(talk_sec) as talk_sec,
        sum(handle_sec) as handle_sec
    from {{ ref('agg_calls_campaign_agent_team_15m') }}
    group by tenant_id
)

select
    from_facts.tenant_id,
    from_rollup.tenant_id as rollup_tenant_id
from from_facts
full outer join from_rollup on from_facts.tenant_id = from_rollup.tenant_id
where
    from_facts.dials is distinct from from_rollup.dials
    or from_facts.answers is distinct from from_rollup.answers
    or from_facts.conversions is distinct from from_rollup.conversions
    or from_facts.pdpl_blocked_calls is distinct from from_rollup.pdpl_blocked_calls
    or from_facts.talk_sec is distinct from from_rollup.talk_sec
    or from_facts.handle_sec is distinct from from_rollup.handle_sec
