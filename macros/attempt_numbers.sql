{% macro attempt_number(alias) -%}
    {#- A dial's attempt number (docs/api-reference.md §6.3): its position among all of the tenant's dials
        of the same lead, every campaign and all time, ordered by started_at, then id. Only over dials with
        a lead (`is_attempt(alias)`): blocked attempts are not dials and get no number. fct_calls numbers
        with it; the API numbers the dials changed since the build on from their leads' built numbers in
        the same order (lambdas/telesales_reports/reports/attempts.py, DECISIONLOG 81). -#}
    row_number() over (
        partition by {{ alias }}.tenant_id, {{ alias }}.lead_id
        order by {{ alias }}.started_at, {{ alias }}.call_id
    )
{%- endmacro %}

{% macro is_attempt(alias) -%}
    {{ alias }}.is_dial and {{ alias }}.lead_id is not null
{%- endmacro %}

{% macro attempt_numbers(calls_relation, leads_cte=none) -%}
    {#- (tenant_id, call_id, lead_id, started_at, attempt_number) of every dial with a lead (macro
        attempt_number). With `leads_cte` (a CTE of tenant_id, lead_id), only the calls of those leads
        are numbered (incremental runs), each lead's calls read by index (a lateral per lead: a join was
        planned as a scan of every call, a cost that grew with history; DECISIONLOG 67). Citus keeps the
        join on tenant_id. -#}
    select
        numbered.tenant_id,
        numbered.call_id,
        numbered.lead_id,
        numbered.started_at,
        {{ attempt_number('numbered') }} as attempt_number
    {%- if leads_cte and not is_citus() %}
    {{ calls_of_leads(calls_relation, leads_cte, 'affected', 'numbered') }}
    {%- elif leads_cte %}
    from {{ calls_relation }} as numbered
    inner join {{ leads_cte }} as affected
        on
            numbered.tenant_id = affected.tenant_id
            and numbered.lead_id = affected.lead_id
    {%- else %}
    from {{ calls_relation }} as numbered
    {%- endif %}
    where {{ is_attempt('numbered') }}
{%- endmacro %}


{% macro renumbered_call_ids(attempts, leads, stored) -%}
    {#- The ids of the calls of `attempts` (attempt_numbers) from their lead's change point on (`leads`:
        tenant_id, lead_id, changed_from) whose number differs from the one `stored` (fct_calls as built)
        holds for them. A lead's calls before its change point keep their numbers: no dial that changed is
        ordered before them, as it is now or as stored. Each stored number is probed by key (joined, the
        planner guessed every call of the renumbered leads and scanned all of fct_calls: 2.6 s of a
        batch's build at 5 M calls against 0.9 s; DECISIONLOG 93). -#}
    select {{ attempts }}.call_id
    from {{ attempts }}
    inner join {{ leads }}
        on
            {{ attempts }}.tenant_id = {{ leads }}.tenant_id
            and {{ attempts }}.lead_id = {{ leads }}.lead_id
    cross join lateral (
        select as_built.attempt_number
        from {{ stored }} as as_built
        where
            as_built.tenant_id = {{ attempts }}.tenant_id
            and as_built.call_id = {{ attempts }}.call_id
        offset 0  -- a fence: one index probe per call (no pull-up into a join)
    ) as as_built
    where
        {{ attempts }}.started_at >= {{ leads }}.changed_from
        and as_built.attempt_number is distinct from {{ attempts }}.attempt_number
{%- endmacro %}


{% macro calls_of_leads(calls_relation, leads, leads_alias, calls_alias) -%}
    {#- A FROM clause: `leads` (tenant_id, lead_id) as `leads_alias`, each with its calls of
        `calls_relation` as `calls_alias`, read by index on (tenant_id, lead_id) one lead at a time
        (a lateral behind a fence: the planner otherwise scans every call to join a few leads). -#}
    from {{ leads }} as {{ leads_alias }}
    cross join lateral (
        select of_lead.*
        from {{ calls_relation }} as of_lead
        where
            of_lead.tenant_id = {{ leads_alias }}.tenant_id
            and of_lead.lead_id = {{ leads_alias }}.lead_id
        offset 0
    ) as {{ calls_alias }}
{%- endmacro %}
