{% test unique_combination(model, columns) %}
-- Assert that no two rows share the same values of `columns` (nulls compared as equal).
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
