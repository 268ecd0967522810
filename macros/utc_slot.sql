{% macro utc_slot(expression) -%}
    {#- The 15-minute UTC slot a timestamp falls in. Every current TZDB offset (including +05:30
        and +05:45) and every DST transition is a multiple of 15 minutes, so a slot never straddles
        a local hour: the API can bucket slots into any timezone's hours, days and weeks exactly. -#}
    date_bin(interval '15 minutes', {{ expression }}, timestamptz '2000-01-01 00:00:00+00')
{%- endmacro %}
