{% test not_greater_than(model, column_name, other_column) %}
-- Assert that the column never exceeds another column of the same row (e.g. answers <= dials).
select {{ column_name }}, {{ other_column }}
from {{ model }}
where {{ column_name }} > {{ other_column }}
{% endtest %}
