{%- materialization view, adapter='postgres' -%}
    {#- Views (staging, intermediate) are replaced in place with `create or replace view`, in one
        statement: the built-in materialization renames the old view away and drops it with cascade,
        which drops every view that depends on it (int_calls__conversion_flagged on stg_raw__calls)
        until its own model runs again. The API reads these views live (README "Live answers"), so
        they must exist at every instant of a build, also when a build is killed half-way. Only when
        the columns changed in a way PostgreSQL cannot replace (renamed, removed, retyped) is the view
        dropped and created again, in the same transaction.
        Every view runs with the rights of the role that queries it (`security_invoker`, PostgreSQL 15+,
        DECISIONLOG 60), so the row-level security of the raw tables binds the API's login through the
        views too; set on every (re)creation, so it survives rebuilds and full refreshes. -#}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set grant_config = config.get('grants') -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if existing_relation is not none and existing_relation.type != 'view' %}
        {{ adapter.drop_relation(existing_relation) }}
    {%- endif %}
    {% call statement('main') -%}
        do $replace_view$
        begin
            execute $view_sql$ create or replace view {{ target_relation }} with (security_invoker = true) as (
                {{ sql }}
            ) $view_sql$;
        exception when invalid_table_definition then
            execute $view_sql$ drop view {{ target_relation }} cascade $view_sql$;
            execute $view_sql$ create view {{ target_relation }} with (security_invoker = true) as (
                {{ sql }}
            ) $view_sql$;
        end
        $replace_view$
    {%- endcall %}
    {%- set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
    {%- do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {%- do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization -%}
