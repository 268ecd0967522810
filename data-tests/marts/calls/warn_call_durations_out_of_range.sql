{{ config(severity='warn') }}
-- Assert that a call's durations are sane: no negative seconds and a handle time within 2^31 - 1.
-- Such a row is a data error; it is summed in bigint as it is (never an overflow that stops the build).
select call_id
from {{ ref('fct_calls') }}
where
    {{ audited_where() }}
    and (
        talk_sec < 0
        or hold_sec < 0
        or wrap_sec < 0
        or handle_sec > 2147483647
    )
