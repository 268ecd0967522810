{% macro changed_periods(fact, width) -%}
    {#- The (tenant_id, period_start) pairs, of UTC width `width`, that an incremental run of the
        current model must rebuild: the periods of every row of the base fact (`fact`: 'calls' ->
        fct_calls.started_at, 'leads' -> fct_leads.created_at) (re)loaded since this model's last
        run, and the periods those rows held before (ops.fact_moves, written by the facts'
        post-hooks). The old periods make a row that moved rebuild the period it left, and the
        rebuild of an emptied period deletes its rows (delete_changed_periods). -#}
    {%- set base = ref('fct_calls') if fact == 'calls' else ref('fct_leads') %}
    {%- set time_column = 'started_at' if fact == 'calls' else 'created_at' %}
    {%- set since = max_of_this('dbt_loaded_at') %}
    select distinct
        changed.tenant_id,
        {{ utc_bin('changed.' ~ time_column, width) }} as period_start
    from {{ base }} as changed
    where changed.dbt_loaded_at > {{ since }}
    union
    select distinct
        moved.tenant_id,
        {{ utc_bin('moved.old_at', width) }} as period_start
    from ops.fact_moves as moved
    where moved.fact = '{{ fact }}' and moved.logged_at > {{ since }}
{%- endmacro %}


{% macro delete_changed_periods(fact, period_column, width) -%}
    {#- Pre-hook of an incremental rollup: delete every changed period (changed_periods) before the
        run inserts their new rows, so a period that no longer holds any row is emptied too (the
        delete+insert strategy alone deletes only the keys present in the new rows). -#}
    {%- if is_incremental() %}
    delete from {{ this }} as target
    using ({{ changed_periods(fact, width) }}) as changed
    where
        target.tenant_id = changed.tenant_id
        -- every rollup's period column is the utc_bin of its own width, so a changed period is one
        -- value of it: an equality the (tenant_id, period) index serves once per changed period. (A
        -- range join here was planned as a merge join on tenant_id alone, comparing every changed
        -- period with every row of the rollup: a cost that grew with history, DECISIONLOG 67.)
        and target.{{ period_column }} = changed.period_start
    {%- else %}
    select 1
    {%- endif %}
{%- endmacro %}


{% macro scope_to_changed_periods(relation, time_column, width, fact) -%}
    {#- The rows of `relation` with their UTC `period_start` (the `width` period of `time_column`),
        limited on incremental runs to the changed periods of the base fact (changed_periods).
        With the pre-hook delete_changed_periods and delete+insert on (tenant, period), those
        periods are rebuilt whole. Each changed period is read as a range of `time_column`, so an
        index on (tenant_id, time_column) serves it. -#}
    {%- if fact not in ('calls', 'leads') %}
        {{ exceptions.raise_compiler_error("scope_to_changed_periods: fact must be 'calls' or 'leads'") }}
    {%- endif %}
    {#- ref() at parse time too: the model then depends on the base fact it takes its periods from -#}
    {%- set base_fact = ref('fct_calls') if fact == 'calls' else ref('fct_leads') %}
    {%- set period = utc_bin('sourced.' ~ time_column, width) %}
    {%- if is_incremental() %}
    {{ rows_in_periods(relation, time_column, width, changed_periods(fact, width)) }}
    {%- else %}
    select
        sourced.*,
        {{ period }} as period_start
    from {{ relation }} as sourced
    {%- endif %}
{%- endmacro %}


{% macro rows_in_periods(relation, time_column, width, periods) -%}
    {#- The rows of `relation` in the (tenant_id, period_start) pairs that the query `periods` returns,
        with their period_start: each period read as a range of `time_column`, so an index on
        (tenant_id, time_column) serves it. -#}
    select
        sourced.*,
        periods.period_start
    from ({{ periods }}) as periods
    -- lateral: one index range scan per period, whatever the planner estimates
    cross join lateral (
        select in_period.*
        from {{ relation }} as in_period
        where
            in_period.tenant_id = periods.tenant_id
            and in_period.{{ time_column }} >= periods.period_start
            and in_period.{{ time_column }} <= {{ period_last_moment('periods.period_start', width) }}
        offset 0  -- a fence: keeps the subquery a per-period nested loop (no pull-up into a join)
    ) as sourced
{%- endmacro %}


{% macro period_last_moment(period_start, width) -%}
    {#- The last microsecond of the UTC period of `width` that starts at `period_start` (a utc_bin value):
        its start + width - 1 microsecond; a dirty row's period at the ends of time holds that row alone:
        +-infinity (date_bin keeps an infinite time as it is) is its own last moment, and the last period
        before it ends at the largest timestamptz, which its start + width would overflow (an error that
        stopped every incremental build; a range ending at +-infinity + width was empty). -#}
    case
        when not isfinite({{ period_start }}) then {{ period_start }}
        when {{ period_start }} > timestamptz '294276-12-31 23:59:59.999999+00' - interval '{{ width }}'
            then timestamptz '294276-12-31 23:59:59.999999+00'
        else {{ period_start }} + interval '{{ width }}' - interval '1 microsecond'
    end
{%- endmacro %}
