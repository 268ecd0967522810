{% macro scope_to_changed_periods(relation, time_column, width) -%}
    {#- The rows of `relation` with their UTC `period_start` (the `width` period of `time_column`),
        limited on incremental runs to the (tenant, period) pairs that hold a row (re)loaded since
        this model's last run. With unique_key = ['tenant_id', <period column>] and delete+insert,
        those periods are rebuilt whole. Each changed period is read as a range of `time_column`,
        so an index on (tenant_id, time_column) serves it. -#}
    {%- set period = utc_bin('sourced.' ~ time_column, width) %}
    {%- if is_incremental() %}
    select
        sourced.*,
        changed_periods.period_start
    from (
        select distinct
            changed.tenant_id,
            {{ utc_bin('changed.' ~ time_column, width) }} as period_start
        from {{ relation }} as changed
        where changed.dbt_loaded_at > {{ max_of_this('dbt_loaded_at') }}
    ) as changed_periods
    -- lateral: one index range scan per changed period, whatever the planner estimates
    cross join lateral (
        select in_period.*
        from {{ relation }} as in_period
        where
            in_period.tenant_id = changed_periods.tenant_id
            and in_period.{{ time_column }} >= changed_periods.period_start
            and in_period.{{ time_column }} < changed_periods.period_start + interval '{{ width }}'
        offset 0  -- a fence: keeps the subquery a per-period nested loop (no pull-up into a join)
    ) as sourced
    {%- else %}
    select
        sourced.*,
        {{ period }} as period_start
    from {{ relation }} as sourced
    {%- endif %}
{%- endmacro %}
