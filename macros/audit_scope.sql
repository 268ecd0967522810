{% macro audit_whole() -%}
    {#- True when this build's invariant tests check every row: on a full refresh, when run by hand
        (TELESALES_AUDIT_SCOPE unset), and when the build runner asks for it ('whole': the first builds
        of every day, telesales_build.audit). An incremental build of the runner passes 'changed':
        the tests then check the periods and rows the run touched (touched_call_periods), so its
        cost follows the rows that changed, not the size of history (DECISIONLOG 67). Read only while
        dbt executes (see build_cutoff); when parsing, the answer is "changed", whose branches name
        every relation a test can read, so dbt records all of them as its dependencies. -#}
    {%- if not execute -%}
        {%- do return(false) -%}
    {%- endif -%}
    {%- set scope = env_var('TELESALES_AUDIT_SCOPE', '') or 'whole' -%}
    {%- do return((flags is defined and flags.FULL_REFRESH) or scope != 'changed') -%}
{%- endmacro %}


{% macro audited_where() -%}
    {#- The rows of a fact a row-level test checks: every row on a whole audit, else the rows this
        run wrote. -#}
    {%- if audit_whole() -%}
        true
    {%- else -%}
        dbt_loaded_at = '{{ run_started_at }}'::timestamptz
    {%- endif -%}
{%- endmacro %}


{% macro touched_call_periods(width, rollups, period_column) -%}
    {#- The (tenant_id, period_start) pairs, of UTC width `width`, an incremental run touched: the
        periods of every call fact it (re)loaded, where the call is now and where it was
        (previous_started_at: the period a moved call left, whether or not its move was logged),
        the old periods of ops.fact_moves (moves not yet consumed by both copies of the marts) and
        every period the run wrote into one of `rollups` (their `period_column`). -#}
    select
        facts.tenant_id,
        {{ utc_bin('facts.started_at', width) }} as period_start
    from {{ ref('fct_calls') }} as facts
    where facts.dbt_loaded_at = '{{ run_started_at }}'::timestamptz
    union
    select
        facts.tenant_id,
        {{ utc_bin('facts.previous_started_at', width) }} as period_start
    from {{ ref('fct_calls') }} as facts
    where facts.dbt_loaded_at = '{{ run_started_at }}'::timestamptz and facts.previous_started_at is not null
    union
    select
        moved.tenant_id,
        {{ utc_bin('moved.old_at', width) }} as period_start
    from ops.fact_moves as moved
    where moved.fact = 'calls'
    {%- for rollup in rollups %}
    union
    select
        written.tenant_id,
        written.{{ period_column }} as period_start
    from {{ ref(rollup) }} as written
    where written.dbt_loaded_at = '{{ run_started_at }}'::timestamptz
    {%- endfor %}
{%- endmacro %}


{% macro audited_rows(relation, time_column, width, touched) -%}
    {#- The rows of `relation` an invariant test compares, with their UTC `period_start`: every row on
        a whole audit, else the rows of the `touched` periods (read by index, one range per period). -#}
    {%- if audit_whole() %}
    select
        audited.*,
        {{ utc_bin('audited.' ~ time_column, width) }} as period_start
    from {{ relation }} as audited
    {%- else %}
        {{ rows_in_periods(relation, time_column, width, touched) }}
    {%- endif %}
{%- endmacro %}


{% macro raw_calls_to_audit(alias) -%}
    {#- The raw calls (`alias`) an audit checks against the facts: all on a whole audit, else those the
        run had to load: changed since the facts' previous high-water mark less the look-back
        (fct_calls.sql). The build's in-step check compares every row on every build. -#}
    {%- if audit_whole() -%}
        true
    {%- else -%}
        {{ alias }}.updated_at >= (
            select
                coalesce(
                    least(max(older.updated_at), now()) - interval '{{ var("incremental_lookback_hours") }} hours',
                    '-infinity'
                )
            from {{ ref('fct_calls') }} as older
            where older.dbt_loaded_at < '{{ run_started_at }}'::timestamptz
        )
    {%- endif -%}
{%- endmacro %}
