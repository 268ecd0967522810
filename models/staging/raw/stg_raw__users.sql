with source as (
    select * from {{ source('raw', 'users') }}
),

renamed as (
    select
        id as agent_id,
        tenant_id,
        team_id,
        -- Names from the application are trimmed of any Unicode whitespace (DECISIONLOG 49).
        {{ trim_unicode_whitespace('name') }} as agent_name,
        {{ trim_unicode_whitespace('username') }} as username,
        created_at,
        updated_at
    from source
)

select * from renamed
