-- Citus (a distributed PostgreSQL): how the raw and ops tables spread over the workers. Run by
-- bootstrap after the other scripts, only in a database with the citus extension; idempotent. The
-- dbt marts follow in their own post-hook (macros/citus_distribute.sql). DECISIONLOG "Citus".
--
--   raw.calls, raw.leads            distributed by tenant_id (the large tables), colocated; their
--                                   primary keys are re-keyed from (id) to (tenant_id, id), since
--                                   Citus enforces uniqueness per shard only
--   ops.abandon_rate_snapshots,     distributed by tenant_id, colocated with raw.calls (the fact-move
--   ops.fact_moves                  log joins the facts and rollups on tenant_id)
--   raw.tenants, raw.campaigns, raw.teams, raw.users, raw.dispositions, raw.caller_ids,
--   ops.warehouse_builds,
--   ops.build_runs                  reference tables (a full copy on every node): small, keyed as
--                                   the contract keys them, joinable on any column
--
-- Tables that already hold rows (a replication tool created them as plain tables) keep them:
-- create_distributed_table copies the rows into the shards, then the coordinator's local copy is
-- truncated.
do $citus$
declare
    distributed constant text[] := array['raw.calls', 'raw.leads', 'ops.abandon_rate_snapshots', 'ops.fact_moves'];
    referenced constant text[] := array[
        'raw.tenants', 'raw.campaigns', 'raw.teams', 'raw.users', 'raw.dispositions', 'raw.caller_ids',
        'ops.warehouse_builds', 'ops.build_runs'
    ];
    table_name text;
    primary_key record;
begin
    foreach table_name in array distributed loop
        continue when to_regclass(table_name) is null
            or exists (select from pg_dist_partition where logicalrelid = table_name::regclass);
        select conname, array_agg(attname::text order by attnum) as columns
        into primary_key
        from pg_constraint
        inner join pg_attribute on attrelid = conrelid and attnum = any(conkey)
        where conrelid = table_name::regclass and contype = 'p'
        group by conname;
        if primary_key.conname is not null and not ('tenant_id' = any(primary_key.columns)) then
            execute format('alter table %s drop constraint %I', table_name, primary_key.conname);
            execute format('alter table %s add primary key (tenant_id, id)', table_name);
        end if;
        if table_name = 'raw.calls' then
            perform create_distributed_table(table_name, 'tenant_id', colocate_with => 'none');
        else
            perform create_distributed_table(table_name, 'tenant_id', colocate_with => 'raw.calls');
        end if;
        perform truncate_local_data_after_distributing_table(table_name::regclass);
    end loop;
    foreach table_name in array referenced loop
        continue when to_regclass(table_name) is null
            or exists (select from pg_dist_partition where logicalrelid = table_name::regclass);
        perform create_reference_table(table_name);
        perform truncate_local_data_after_distributing_table(table_name::regclass);
    end loop;
end
$citus$;
