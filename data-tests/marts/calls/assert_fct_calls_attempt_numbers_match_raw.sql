-- Assert that the attempt numbers of the call facts (docs/api-reference.md §6.3) are those of raw as it stands, for
-- every lead with a call written by this incremental run: renumbering only the leads of changed calls
-- must equal numbering from scratch. A full refresh numbers every lead from scratch with the same
-- macro, so a run that wrote every call is not checked (re-numbering 5 M calls would double its cost).
with checked_leads as (
    select distinct
        facts.tenant_id,
        facts.lead_id
    from {{ ref('fct_calls') }} as facts
    where
        facts.dbt_loaded_at = '{{ run_started_at }}' and facts.lead_id is not null
        and exists (
            select 1 from {{ ref('fct_calls') }} as older
            where older.dbt_loaded_at <> '{{ run_started_at }}'
        )
        -- bounded by the build's cutoff: a lead whose calls changed in raw since (a call added, moved
        -- in or out) is renumbered by the next build
        and not exists (
            select 1 from {{ ref('stg_raw__calls') }} as late
            where
                late.tenant_id = facts.tenant_id and late.lead_id = facts.lead_id
                and late.updated_at >= {{ build_checked_before() }}
        )
        and not exists (
            select 1
            from {{ ref('fct_calls') }} as moved
            inner join {{ ref('stg_raw__calls') }} as late on moved.call_id = late.call_id
            where
                moved.tenant_id = facts.tenant_id and moved.lead_id = facts.lead_id
                and late.updated_at >= {{ build_checked_before() }}
        )
),

expected as (
    {{ attempt_numbers(ref('stg_raw__calls'), 'checked_leads') }}
)

select
    facts.call_id,
    facts.attempt_number,
    expected.attempt_number as expected_attempt_number
from {{ ref('fct_calls') }} as facts
inner join checked_leads
    on
        facts.tenant_id = checked_leads.tenant_id
        and facts.lead_id = checked_leads.lead_id
left join expected
    on
        facts.tenant_id = expected.tenant_id
        and facts.call_id = expected.call_id
where facts.attempt_number is distinct from expected.attempt_number
