{% macro log_fact_moves(fact) -%}
    {#- Post-hook of fct_calls / fct_leads: record, for every row this run reloaded with another period
        or lead than the row it replaced, the old values in ops.fact_moves. The rollups rebuild the
        old periods (changed_periods) and fct_leads refreshes the lead a call left; the log outlives a
        failed build, so a model that did not run still finds every move since its own last run. -#}
    {%- if fact == 'calls' %}
    insert into ops.fact_moves (fact, tenant_id, id, old_at, old_lead_id, logged_at)
    select 'calls', tenant_id, call_id, previous_started_at, previous_lead_id, dbt_loaded_at
    from {{ this }}
    where
        dbt_loaded_at = '{{ run_started_at }}'::timestamptz
        and previous_started_at is not null
        and (previous_started_at, previous_lead_id) is distinct from (started_at, lead_id)
    {%- else %}
    insert into ops.fact_moves (fact, tenant_id, id, old_at, old_lead_id, logged_at)
    select 'leads', tenant_id, lead_id, previous_created_at, null, dbt_loaded_at
    from {{ this }}
    where
        dbt_loaded_at = '{{ run_started_at }}'::timestamptz
        and previous_created_at is not null
        and previous_created_at <> created_at
    {%- endif %}
{%- endmacro %}
