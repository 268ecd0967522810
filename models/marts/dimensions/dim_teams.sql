-- Teams of every tenant; the API validates team_id against it.
with source as (
    select * from {{ ref('stg_raw__teams') }}
),

final as (
    select
        team_id::bigint as team_id,
        tenant_id::bigint as tenant_id,
        team_name::text as team_name
    from source
)

select * from final
