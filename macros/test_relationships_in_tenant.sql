{% test relationships_in_tenant(model, column_name, to, field) %}
-- Assert that every non-null value references a row of the same tenant in `to`.
-- Used with severity warn on raw-derived facts: dirty references are reported, never dropped.
select child.tenant_id, child.{{ column_name }}
from (select * from {{ model }}) as child
left join {{ to }} as parent
    on child.tenant_id = parent.tenant_id
    and child.{{ column_name }} = parent.{{ field }}
where child.{{ column_name }} is not null
  and parent.{{ field }} is null
{% endtest %}
