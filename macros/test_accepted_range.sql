{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
    {%- set bounds = [] -%}
    {%- if min_value is not none %}{% do bounds.append(column_name ~ ' < ' ~ min_value) %}{% endif -%}
    {%- if max_value is not none %}{% do bounds.append(column_name ~ ' > ' ~ max_value) %}{% endif -%}
-- Assert that every non-null value of the column lies in [min_value, max_value].
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and ({{ bounds | join(' or ') if bounds else 'false' }})
{% endtest %}
