{% macro scope_to_changed_periods(relation, period_expression) -%}
    {#- The rows of `relation` with their UTC `period_start`, limited on incremental runs to the
        (tenant, period) pairs that hold a row (re)loaded since this model's last run. With
        `unique_key=['tenant_id', <period column>]` and delete+insert, those periods are rebuilt whole. -#}
    {%- if is_incremental() %}
    select
        sourced.*,
        {{ period_expression }} as period_start
    from {{ relation }} as sourced
    inner join (
        select distinct
            changed.tenant_id,
            {{ period_expression | replace('sourced.', 'changed.') }} as period_start
        from {{ relation }} as changed
        where changed.dbt_loaded_at > (
            select coalesce(max(existing.dbt_loaded_at), '-infinity'::timestamptz) from {{ this }} as existing
        )
    ) as changed_periods
        on
            sourced.tenant_id = changed_periods.tenant_id
            and {{ period_expression }} = changed_periods.period_start
    {%- else %}
    select
        sourced.*,
        {{ period_expression }} as period_start
    from {{ relation }} as sourced
    {%- endif %}
{%- endmacro %}
