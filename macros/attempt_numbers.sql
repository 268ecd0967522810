{% macro attempt_numbers(calls_relation, leads_cte=none) -%}
    {#- (tenant_id, call_id, attempt_number) of every dial with a lead (docs/api-reference.md §6.3):
        its position among all of the tenant's dials of the same lead, every campaign and all time, ordered by started_at, then id.
        Blocked attempts are not dials and get no number. With `leads_cte` (a CTE of tenant_id, lead_id),
        only the calls of those leads are numbered (incremental runs). -#}
    select
        numbered.tenant_id,
        numbered.call_id,
        row_number() over (
            partition by numbered.tenant_id, numbered.lead_id
            order by numbered.started_at, numbered.call_id
        ) as attempt_number
    from {{ calls_relation }} as numbered
    {%- if leads_cte %}
        inner join {{ leads_cte }} as affected
            on
                numbered.tenant_id = affected.tenant_id
                and numbered.lead_id = affected.lead_id
    {%- endif %}
    where numbered.is_dial and numbered.lead_id is not null
{%- endmacro %}
