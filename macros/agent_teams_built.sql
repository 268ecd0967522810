{% macro agent_teams_built() -%}
    {#- The relation dim_agent_teams_built of the copy of the marts being built (DECISIONLOG 104), as the
        last run left it, or none when that copy predates it. Not a ref: fct_leads runs before it in a
        build and reads the previous run's rows. While parsing, its name (nothing is read then). -#}
    {%- if execute -%}
        {{ return(adapter.get_relation(this.database, this.schema, 'dim_agent_teams_built')) }}
    {%- endif -%}
    {{ return(this.schema ~ '.dim_agent_teams_built') }}
{%- endmacro %}
