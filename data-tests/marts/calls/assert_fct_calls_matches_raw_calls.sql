-- Assert that every raw call changed before this build's cutoff is in the call facts once (dirty rows
-- included: nothing is dropped). Rows replicated while the build runs are the next build's. An
-- incremental build's audit checks the raw calls the run had to load (macros/audit_scope.sql); the
-- build's in-step check (telesales_build.warehouse_state.facts_in_step) compares every row on every build.
select raw_calls.id
from {{ source('raw', 'calls') }} as raw_calls
left join {{ ref('fct_calls') }} as facts
    on
        raw_calls.tenant_id = facts.tenant_id
        and raw_calls.id = facts.call_id
where
    facts.call_id is null
    and raw_calls.updated_at < {{ build_checked_before() }}
    and {{ raw_calls_to_audit('raw_calls') }}
