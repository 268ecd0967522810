{% macro trim_unicode_whitespace(expression) -%}
    {#- Trim exactly the characters Python's str.strip() removes (str.isspace()), as docs/api-reference.md
        section 1 defines the trimming of a lead source. PostgreSQL's btrim() with no argument
        trims only the ASCII space. -#}
    {%- set codepoints = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 8192, 8193, 8194,
                          8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288] -%}
    btrim({{ expression }}, {% for cp in codepoints %}chr({{ cp }}){% if not loop.last %} || {% endif %}{% endfor %})
{%- endmacro %}
