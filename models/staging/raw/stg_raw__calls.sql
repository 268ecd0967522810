with source as (
    select * from {{ source('raw', 'calls') }}
),

classified as (
    select
        id as call_id,
        tenant_id,
        campaign_id,
        lead_id,
        agent_id,
        team_id,
        caller_id,
        disposition_code,
        result,
        block_reason,
        talk_sec,
        hold_sec,
        wrap_sec,
        -- docs/api-reference.md §2: handle time = talk + hold + wrap, in bigint (a dirty row's sum may
        -- pass 2^31; it is a warning, never an overflow that stops the build).
        talk_sec::bigint + hold_sec + wrap_sec as handle_sec,
        -- docs/api-reference.md §2, call classification.
        result <> 'blocked' as is_dial,
        result in ('connected', 'abandoned') as is_answered,
        result = 'connected' as is_connected,
        result = 'abandoned' as is_abandoned,
        result = 'rejected' as is_rejected,
        coalesce(result = 'blocked' and block_reason = 'pdpl_window', false) as is_pdpl_blocked,
        started_at,
        answered_at,
        ended_at,
        updated_at,
        -- the 15-minute UTC slot of started_at (the rollups' grain; the API's live rows use it too),
        -- last so that the view is replaced in place (macros/materialization_view_postgres.sql)
        {{ utc_slot('started_at') }} as slot_start
    from source
),

-- docs/api-reference.md §3, funnel: the dials that move a lead to "Talked > 30s" and "Disposed".
with_milestone_flags as (
    select
        *,
        is_dial and talk_sec > 30 as is_talk_over_30s,
        is_dial and disposition_code is not null as is_disposed
    from classified
)

select * from with_milestone_flags
