{% macro attempt_number(alias) -%}
    {#- A dial's attempt number (docs/api-reference.md §6.3): its position among all of the tenant's dials
        of the same lead, every campaign and all time, ordered by started_at, then id. Only over dials with
        a lead (`is_attempt(alias)`): blocked attempts are not dials and get no number. The one home of the
        rule: fct_calls numbers with it, and so does the view the API numbers the live rows with. -#}
    row_number() over (
        partition by {{ alias }}.tenant_id, {{ alias }}.lead_id
        order by {{ alias }}.started_at, {{ alias }}.call_id
    )
{%- endmacro %}

{% macro is_attempt(alias) -%}
    {{ alias }}.is_dial and {{ alias }}.lead_id is not null
{%- endmacro %}

{% macro attempt_numbers(calls_relation, leads_cte=none) -%}
    {#- (tenant_id, call_id, attempt_number) of every dial with a lead (macro attempt_number). With
        `leads_cte` (a CTE of tenant_id, lead_id), only the calls of those leads are numbered (incremental
        runs). -#}
    select
        numbered.tenant_id,
        numbered.call_id,
        {{ attempt_number('numbered') }} as attempt_number
    from {{ calls_relation }} as numbered
    {%- if leads_cte %}
        inner join {{ leads_cte }} as affected
            on
                numbered.tenant_id = affected.tenant_id
                and numbered.lead_id = affected.lead_id
    {%- endif %}
    where {{ is_attempt('numbered') }}
{%- endmacro %}
