-- The dials with a lead as they stand in raw, classified (int_calls__classified): the calls that get an
-- attempt number (macros/attempt_numbers.sql, is_attempt). The API reads the ones changed since the last
-- build through it by call_id and numbers them on from their leads' built numbers (reports/attempts.py,
-- DECISIONLOG 81), so a lead's unchanged dials are read only from the first place where it changed.
with classified as (
    select * from {{ ref('int_calls__classified') }}
),

attempts as (
    select classified.*
    from classified
    where {{ is_attempt('classified') }}
)

select * from attempts
