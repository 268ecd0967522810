{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'call_id'],
        post_hook=["{{ log_fact_moves('calls') }}", "{{ classification_indexes() }}"],
        indexes=[
            {'columns': ['tenant_id', 'call_id'], 'unique': True},
            {'columns': ['updated_at']},
            {'columns': ['tenant_id', 'started_at']},
            {'columns': ['tenant_id', 'campaign_id', 'started_at']},
            {'columns': ['tenant_id', 'agent_id', 'started_at']},
            {'columns': ['tenant_id', 'team_id', 'started_at']},
            {'columns': ['tenant_id', 'lead_id', 'started_at', 'call_id']},
            {'columns': ['dbt_loaded_at']},
        ],
    )
}}

-- One row per call attempt (blocked attempts included), classified. Incremental on call_id:
-- a run takes the calls whose updated_at is past the high-water mark minus a look-back, and the
-- calls whose conversion or unknown-code flag changed because their tenant re-flagged, added or
-- deleted a disposition code
-- (reflagged_disposition_codes, read before the run and inlined as literals). The mark
-- is capped at now(): a row dated in the future must not hide the updates that arrive after it.
-- `not materialized`: the incremental branches read the view twice and must each keep its index.
-- depends_on: {{ ref('stg_raw__dispositions') }} (read by reflagged_disposition_codes before the run)
with calls as not materialized (
    select * from {{ ref('int_calls__conversion_flagged') }}
),

leads as ( -- noqa: ST03
    select * from {{ ref('stg_raw__leads') }}
),

{% if is_incremental() %}
    {#- the high-water mark as a literal (max_of_this): the planner then uses the updated_at indexes -#}
    {%- set updated_since -%}
        least({{ max_of_this('updated_at') }}, now()) - interval '{{ var("incremental_lookback_hours") }} hours'
    {%- endset %}
    changed_calls as (
        select calls.*
        from calls
        {% if is_citus() %}
            where
                calls.updated_at >= {{ updated_since }}
                and not {{ stored_as_is('calls', 'call_id', 'call_id') }}
        {% else %}
            {#- The ids as one array: the planner takes an array's length for small, and probes the
                calls' leads by key instead of hashing every lead (0.8 s at 1 M leads). -#}
            where calls.call_id = any(array(
                select updated.call_id
                from {{ ref('stg_raw__calls') }} as updated
                where
                    updated.updated_at >= {{ updated_since }}
                    and not {{ stored_as_is('updated', 'call_id', 'call_id') }}
            ))
        {% endif %}
        union
        -- calls whose lead arrived or changed since: only where the stored lead attributes differ
        {% if is_citus() %}
            select calls.*
            from calls
            inner join leads
                on
                    calls.tenant_id = leads.tenant_id
                    and calls.lead_id = leads.lead_id
            -- Citus: a join instead of the correlated exists (the union removes the repeats)
            inner join {{ this }} as stored
                on
                    leads.tenant_id = stored.tenant_id
                    and leads.lead_id = stored.lead_id
                    and (stored.lead_created_at, stored.lead_campaign_id, stored.lead_source)
                    is distinct from (leads.created_at, leads.campaign_id, leads.lead_source)
            where leads.updated_at >= {{ updated_since }}
        {% else %}
            select lead_calls.*
            {{ calls_of_leads('calls', 'leads', 'leads', 'lead_calls') }}
            where
                leads.updated_at >= {{ updated_since }}
                and exists (
                    select 1
                    from {{ this }} as stored
                    where
                        stored.tenant_id = leads.tenant_id
                        and stored.lead_id = leads.lead_id
                        and (stored.lead_created_at, stored.lead_campaign_id, stored.lead_source)
                        is distinct from (leads.created_at, leads.campaign_id, leads.lead_source)
                )
        {% endif %}
        {%- set reflagged = reflagged_disposition_codes() %}
        {%- if reflagged %}
            union
            -- the calls of a code whose conversion flag the tenant flipped or deleted (read before the run)
            select calls.*
            from calls
            where (calls.tenant_id, calls.disposition_code) in ({{ disposition_pairs_literal(reflagged) }})
        {%- endif %}
    ),

    -- Attempt numbers (docs/api-reference.md §6.3) change only for the leads of changed calls, as they are now and
    -- as stored (a call moved to another lead renumbers both); only their calls are numbered again, and only
    -- those from the lead's earliest changed call on (`changed_from`, as it is now or as stored) can move.
    renumbered_leads as (
        select
            moves.tenant_id,
            moves.lead_id,
            min(moves.started_at) as changed_from
        from (
            select
                changed_calls.tenant_id,
                changed_calls.lead_id,
                changed_calls.started_at
            from changed_calls
            where changed_calls.lead_id is not null
            union all
            select
                stored.tenant_id,
                stored.lead_id,
                stored.started_at
            from changed_calls
            inner join {{ this }} as stored
                on
                    changed_calls.tenant_id = stored.tenant_id
                    and changed_calls.call_id = stored.call_id
            where stored.lead_id is not null
        ) as moves
        group by moves.tenant_id, moves.lead_id
    ),

    lead_attempts as (
        {{ attempt_numbers(ref('stg_raw__calls'), 'renumbered_leads') }}
    ),

    changed as (
        select changed_calls.*
        from changed_calls
        union
        -- a lead's other calls whose attempt number moved (a late call before them, a call moved away)
        select calls.*
        {% if is_citus() %}
            from lead_attempts
            inner join {{ this }} as stored
                on
                    lead_attempts.tenant_id = stored.tenant_id
                    and lead_attempts.call_id = stored.call_id
            inner join calls
                on
                    lead_attempts.tenant_id = calls.tenant_id
                    and lead_attempts.call_id = calls.call_id
            where stored.attempt_number is distinct from lead_attempts.attempt_number
        {% else %}
            {#- As an array of ids (a call id is unique across tenants): joined, the planner guessed
                tens of thousands of renumbered calls and hashed all 5 M calls to find 8 k (7 s). -#}
            from calls
            where calls.call_id = any(array(
                {{ renumbered_call_ids('lead_attempts', 'renumbered_leads', this) }}
            ))
        {% endif %}
    ),
{% else %}
    lead_attempts as (
        {{ attempt_numbers(ref('stg_raw__calls')) }}
    ),

    changed as (
        select * from calls
    ),
{% endif %}

numbered as (
    select
        changed.*,
        lead_attempts.attempt_number
    from changed
    left join lead_attempts
        on
            changed.tenant_id = lead_attempts.tenant_id
            and changed.call_id = lead_attempts.call_id
),

final as (
    select
        numbered.call_id::bigint as call_id,
        numbered.tenant_id::bigint as tenant_id,
        numbered.campaign_id::bigint as campaign_id,
        numbered.lead_id::bigint as lead_id,
        numbered.agent_id::bigint as agent_id,
        numbered.team_id::bigint as team_id,
        numbered.caller_id::text as caller_id,
        numbered.disposition_code::text as disposition_code,
        numbered.result::text as result,
        numbered.block_reason::text as block_reason,
        numbered.talk_sec::integer as talk_sec,
        numbered.hold_sec::integer as hold_sec,
        numbered.wrap_sec::integer as wrap_sec,
        numbered.handle_sec::bigint as handle_sec,
        numbered.lead_campaign_id::bigint as lead_campaign_id,
        numbered.lead_source::text as lead_source,
        numbered.attempt_number::integer as attempt_number,
        numbered.is_dial::boolean as is_dial,
        numbered.is_answered::boolean as is_answered,
        numbered.is_connected::boolean as is_connected,
        numbered.is_abandoned::boolean as is_abandoned,
        numbered.is_rejected::boolean as is_rejected,
        numbered.is_pdpl_blocked::boolean as is_pdpl_blocked,
        numbered.is_conversion::boolean as is_conversion,
        numbered.is_talk_over_30s::boolean as is_talk_over_30s,
        numbered.is_disposed::boolean as is_disposed,
        numbered.has_conversion_code::boolean as has_conversion_code,
        numbered.has_unknown_disposition::boolean as has_unknown_disposition,
        numbered.started_at::timestamptz as started_at,
        numbered.lead_created_at::timestamptz as lead_created_at,
        {{ utc_slot('numbered.started_at') }}::timestamptz as slot_start,
        numbered.answered_at::timestamptz as answered_at,
        numbered.ended_at::timestamptz as ended_at,
        numbered.updated_at::timestamptz as updated_at,
        {% if is_incremental() -%}
            stored.started_at::timestamptz as previous_started_at,
            stored.lead_id::bigint as previous_lead_id,
        {%- else -%}
            null::timestamptz as previous_started_at,
            null::bigint as previous_lead_id,
        {%- endif %}
        '{{ run_started_at }}'::timestamptz as dbt_loaded_at
    from numbered
    {% if is_incremental() -%}
        -- the values this load replaces: their periods and lead are rebuilt too (ops.fact_moves)
        -- (by tenant and id: the index's key; by id alone PostgreSQL before 18 scans every fact)
        left join {{ this }} as stored
            on
                numbered.tenant_id = stored.tenant_id
                and numbered.call_id = stored.call_id
    {%- endif %}
)

select * from final
-- Stored in (tenant_id, agent_id, started_at) order: agent- and team-filtered reports then read few, adjacent pages.
order by tenant_id, agent_id, started_at
