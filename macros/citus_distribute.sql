{% macro citus_distribute(relation=none) -%}
    {#- Post-hook of every mart, first of them: in a database with the citus extension, a mart that is
        not yet a Citus table becomes one (DECISIONLOG "Citus"): dimensions (dim_*) reference tables,
        a copy on every node; every other mart distributed by tenant_id, colocated with raw.calls, so
        a tenant's facts, rollups and raw rows share one shard and a tenant-filtered query is planned
        for that shard alone. A table re-created by a full refresh is distributed again (its rows are
        copied into the shards and the coordinator's local copy emptied); an incremental run finds it
        distributed and does nothing. Without citus this is a no-op. -#}
    {%- set relation = relation if relation is not none else this -%}
do $citus$
begin
    if not exists (select from pg_catalog.pg_extension where extname = 'citus') then
        return;
    end if;
    -- pg_dist_partition exists only with citus: PL/pgSQL plans this statement when it first runs it
    if exists (select from pg_dist_partition where logicalrelid = '{{ relation }}'::regclass) then
        return;
    end if;
    {%- if relation.identifier.startswith('dim_') %}
    perform create_reference_table('{{ relation }}');
    {%- else %}
    perform create_distributed_table('{{ relation }}', 'tenant_id', colocate_with => 'raw.calls');
    {%- endif %}
    perform truncate_local_data_after_distributing_table('{{ relation }}');
end
$citus$
{%- endmacro %}


{% macro citus_session() -%}
    {#- Pre-hook of every mart: with citus, turn off local execution for the model's transaction. The
        model reads reference tables, which the coordinator holds a copy of and would read locally;
        a transaction that did so cannot then create a reference or distributed table (which needs
        parallel connections to every node). Without citus this is a no-op. -#}
do $citus$
begin
    if exists (select from pg_catalog.pg_extension where extname = 'citus') then
        perform pg_catalog.set_config('citus.enable_local_execution', 'off', true);
    end if;
end
$citus$
{%- endmacro %}


{% macro is_citus() -%}
    {#- True when the target database has the citus extension (checked at run time; false at parse). -#}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set result = run_query("select exists (select from pg_catalog.pg_extension where extname = 'citus')") -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}
