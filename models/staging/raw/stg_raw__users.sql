with source as (
    select * from {{ source('raw', 'users') }}
),

renamed as (
    select
        id as agent_id,
        tenant_id,
        team_id,
        name as agent_name,
        username,
        created_at,
        updated_at
    from source
)

select * from renamed
