{{ config(severity='warn') }}
-- Assert that no conversion code sits on an unanswered call. Such a call is a data error: it is
-- counted in the disposition breakdown but not as a conversion (docs/api-reference.md §2).
select call_id
from {{ ref('fct_calls') }}
where {{ audited_where() }} and has_conversion_code and not is_answered
