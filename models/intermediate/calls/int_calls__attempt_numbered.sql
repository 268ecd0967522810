-- The dials with a lead as they stand in raw, classified (int_calls__classified) and numbered among
-- their lead's dials (macros/attempt_numbers.sql, the rule fct_calls numbers with). The API reads the
-- leads touched since the last build through it (attempts report, live answers): a filter on tenant_id
-- and lead_id is pushed below the numbering, so only those leads' dials are read and numbered.
with classified as (
    select * from {{ ref('int_calls__classified') }}
),

numbered as (
    select
        classified.*,
        {{ attempt_number('classified') }} as attempt_number
    from classified
    where {{ is_attempt('classified') }}
)

select * from numbered
