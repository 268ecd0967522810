-- Assert that every raw call is in the call facts once (dirty rows included: nothing is dropped).
select raw_calls.id
from {{ source('raw', 'calls') }} as raw_calls
left join {{ ref('fct_calls') }} as facts
    on
        raw_calls.tenant_id = facts.tenant_id
        and raw_calls.id = facts.call_id
where facts.call_id is null
