{% macro lead_milestone_columns(calls, created_at) -%}
    {#- The funnel milestone columns of a lead over its calls (`calls`: the alias of rows with started_at
        and the call flags; `created_at`: the lead's creation time): the first dial, answer, talk > 30 s,
        disposition and conversion at or after creation, and the last of each before it (`last_early_*`:
        such a call is in a window holding the lead exactly when it is at or after the window's start).
        fct_leads (per lead) and fct_lead_teams (per lead and team) aggregate them the same way. -#}
    {%- set flags = [
        ('is_dial', 'dial'), ('is_answered', 'answer'), ('is_talk_over_30s', 'talk_over_30s'),
        ('is_disposed', 'disposed'), ('is_conversion', 'conversion'),
    ] %}
    {%- for flag, name in flags %}
        min({{ calls }}.started_at) filter (
            where {{ calls }}.{{ flag }} and {{ calls }}.started_at >= {{ created_at }}
        ) as first_{{ name }}_at,
    {%- endfor %}
    {%- for flag, name in flags %}
        max({{ calls }}.started_at) filter (
            where {{ calls }}.{{ flag }} and {{ calls }}.started_at < {{ created_at }}
        ) as last_early_{{ name }}_at{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
