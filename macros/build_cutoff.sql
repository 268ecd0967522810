{% macro build_cutoff() -%}
    {#- The instant this build read raw from (TELESALES_BUILD_CUTOFF, the database clock the build command
        takes before dbt starts; dbt's own start when run by hand). Checks against raw count only the rows
        changed before it: rows replicated while the build runs are the next build's. Read only while dbt
        executes (an environment variable, not a var): a value that changes every build would otherwise
        make dbt re-parse the whole project every build. -#}
    {%- set given = env_var('TELESALES_BUILD_CUTOFF', '') if execute else '' -%}
    '{{ given or run_started_at }}'::timestamptz
{%- endmacro %}


{% macro build_checked_before() -%}
    {#- The bound of this build's checks against raw (TELESALES_BUILD_CHECKED_BEFORE: the cutoff less the
        replication allowance, telesales_build.warehouse_state.checked_before): a row replicated late,
        with an updated_at before the cutoff, is the next build's to load and check. build_cutoff() when
        dbt runs by hand. -#}
    {%- set given = env_var('TELESALES_BUILD_CHECKED_BEFORE', '') if execute else '' -%}
    {%- if given -%}
        '{{ given }}'::timestamptz
    {%- else -%}
        {{ build_cutoff() }}
    {%- endif -%}
{%- endmacro %}
