{{ config(severity='warn') }}
-- Assert that every disposition code on a call is defined for its tenant. Unknown codes still
-- count in the breakdown, with label = code and the grey colour (docs/api-reference.md §3).
select call_id
from {{ ref('fct_calls') }}
where {{ audited_where() }} and has_unknown_disposition
