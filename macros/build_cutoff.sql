{% macro build_cutoff() -%}
    {#- The instant this build read raw from (var build_cutoff, the database clock the build command takes
        before dbt starts; dbt's own start when run by hand). Checks against raw count only the rows
        changed before it: rows replicated while the build runs are the next build's. -#}
    '{{ var("build_cutoff", run_started_at) }}'::timestamptz
{%- endmacro %}
