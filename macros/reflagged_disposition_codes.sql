{% macro reflagged_disposition_codes() -%}
    {#- The (tenant_id, disposition_code) pairs whose stored classification (fct_calls'
        has_conversion_code and has_unknown_disposition) no longer agrees with the tenant's
        disposition list: a code re-flagged either way, a code the list gained after its calls were
        built (unknown until then), or a code deleted from the list. Read before the model's SQL runs and
        returned as a list of [tenant_id, code], inlined by the model as literals: the planner then
        knows the set is (nearly always) empty. As a subquery it guessed a few codes with a third of a
        million calls each, and planned every later step of an incremental run (the changed leads'
        attempt numbers) as full scans of the calls (12.7 s of a 15.7 s run at 5 M calls).
        Both halves are index probes on (tenant_id, disposition_code, has_conversion_code,
        has_unknown_disposition), never a scan of the calls: a flag that
        differs is two equality probes per listed code, and the stored
        codes are enumerated by a loose index scan (one probe per distinct stored code, null codes
        stepped over per tenant). Citus cannot plan that recursion over a distributed table: there
        the same pairs are read by one left join (the conversion rule itself), on every shard in parallel. -#}
    {%- set pairs = [] -%}
    {%- if execute and is_incremental() -%}
        {%- for row in run_query(reflagged_disposition_codes_sql(ref('stg_raw__dispositions'))).rows -%}
            {%- do pairs.append([row[0] | int, row[1]]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(pairs) }}
{%- endmacro %}


{% macro reflagged_disposition_codes_sql(dispositions) -%}
    {#- The query of reflagged_disposition_codes: (tenant_id, disposition_code), ordered. -#}
    {%- if is_citus() %}
        -- the conversion rule itself: a stored flag that differs from the code's flag in the list,
        -- a code missing from the list counting as no conversion and as unknown
        select
            stored.tenant_id,
            stored.disposition_code
        from {{ this }} as stored
        left join {{ dispositions }} as dispositions
            on
                stored.tenant_id = dispositions.tenant_id
                and stored.disposition_code = dispositions.disposition_code
        where
            stored.disposition_code is not null
            and (
                stored.has_conversion_code is distinct from coalesce(dispositions.is_conversion, false)
                or stored.has_unknown_disposition is distinct from (dispositions.disposition_code is null)
            )
        group by stored.tenant_id, stored.disposition_code
        order by 1, 2
    {%- else %}
        with recursive stored_codes as (
            -- every (tenant, code) stored, one index probe each: the first, then the next of the
            -- same tenant, else the first of the next tenant (a tenant's null codes are stepped over)
            (
                select
                    stored.tenant_id,
                    stored.disposition_code
                from {{ this }} as stored
                where {{ indexed_code('stored.disposition_code') }}
                order by stored.tenant_id, stored.disposition_code
                limit 1
            )
            union all
            select
                next_code.tenant_id,
                next_code.disposition_code
            from stored_codes
            cross join lateral (
                select
                    candidates.tenant_id,
                    candidates.disposition_code
                from (
                    (
                        select
                            stored.tenant_id,
                            stored.disposition_code
                        from {{ this }} as stored
                        where
                            stored.tenant_id = stored_codes.tenant_id
                            and stored.disposition_code > stored_codes.disposition_code
                            and {{ indexed_code('stored.disposition_code') }}
                        order by stored.disposition_code
                        limit 1
                    )
                    union all
                    (
                        select
                            stored.tenant_id,
                            stored.disposition_code
                        from {{ this }} as stored
                        where stored.tenant_id > stored_codes.tenant_id and {{ indexed_code('stored.disposition_code') }}
                        order by stored.tenant_id, stored.disposition_code
                        limit 1
                    )
                ) as candidates
                order by candidates.tenant_id, candidates.disposition_code
                limit 1
            ) as next_code
        )

        -- a listed code whose stored flag differs, or whose calls were built before the list had it
        -- (stored as unknown): two equality probes per code
        select
            dispositions.tenant_id,
            dispositions.disposition_code
        from {{ dispositions }} as dispositions
        where
            {{ stored_calls_of_code('dispositions', 'not dispositions.is_conversion') }}
            or {{ stored_calls_of_code('dispositions', 'false', unknown='true') }}
        union
        -- a stored code the tenant deleted from its list: a conversion code, or one stored as known
        -- (codes too long for the classification index read through the index of their rows)
        select
            stored_codes.tenant_id,
            stored_codes.disposition_code
        from (
            select
                indexed.tenant_id,
                indexed.disposition_code
            from stored_codes as indexed
            union
            select
                stored.tenant_id,
                stored.disposition_code
            from {{ this }} as stored
            where not {{ indexed_code('stored.disposition_code') }}
        ) as stored_codes
        where
            stored_codes.disposition_code is not null
            and not exists (
                select 1
                from {{ dispositions }} as dispositions
                where
                    dispositions.tenant_id = stored_codes.tenant_id
                    and dispositions.disposition_code = stored_codes.disposition_code
            )
            and (
                {{ stored_calls_of_code('stored_codes', 'true') }}
                or {{ stored_calls_of_code('stored_codes', 'false', unknown='false') }}
            )
        order by 1, 2
    {%- endif %}
{%- endmacro %}


{% macro stored_calls_of_code(codes, conversion, unknown=none) -%}
    {#- `exists` a stored call of the code `codes` names (tenant_id, disposition_code) with that
        has_conversion_code (and has_unknown_disposition, when given): one equality probe of fct_calls'
        classification index, or of the index of the calls whose code is too long for it. -#}
    {%- for indexed in (true, false) %}
        {{ 'or ' if not indexed }}exists (
        select 1
        from {{ this }} as stored
        where
            stored.tenant_id = {{ codes }}.tenant_id
            and stored.disposition_code = {{ codes }}.disposition_code
            and {{ '' if indexed else 'not ' }}{{ indexed_code('stored.disposition_code') }}
            and stored.has_conversion_code = {{ conversion }}
            and {{ 'stored.has_unknown_disposition = ' ~ unknown if unknown is not none else 'true' }}
    )
    {%- endfor %}
{%- endmacro %}


{% macro indexed_code(code) -%}
    {#- The condition of fct_calls' classification index (classification_indexes): a disposition code
        short enough for a btree entry (at most 2,704 bytes; DECISIONLOG 112). Queries that should use
        the index repeat it. -#}
    coalesce(octet_length({{ code }}) <= 2000, true)
{%- endmacro %}


{% macro classification_indexes() -%}
    {#- Post-hook of fct_calls: its classification index, (tenant_id, disposition_code,
        has_conversion_code, has_unknown_disposition) over the codes short enough for a btree entry
        (indexed_code), and an index of the few calls whose code is longer, so that a dirty code never
        stops the build (DECISIONLOG 112). Created when missing (a full refresh re-creates the table). -#}
    {%- set columns = 'tenant_id, disposition_code, has_conversion_code, has_unknown_disposition' %}
do $classification$
begin
    if not exists (
        select from pg_catalog.pg_indexes
        where schemaname = '{{ this.schema }}' and tablename = '{{ this.identifier }}'
            and indexdef like '%({{ columns }}) WHERE%'
    ) then
        create index on {{ this }} ({{ columns }}) where {{ indexed_code('disposition_code') }};
    end if;
    if not exists (
        select from pg_catalog.pg_indexes
        where schemaname = '{{ this.schema }}' and tablename = '{{ this.identifier }}'
            and indexdef like '%(tenant_id) WHERE%'
    ) then
        create index on {{ this }} (tenant_id) where not {{ indexed_code('disposition_code') }};
    end if;
end
$classification$
{%- endmacro %}


{% macro disposition_pairs_literal(pairs) -%}
    {#- `(tenant_id, 'code'), ...` for a `(tenant_id, disposition_code) in (...)` list; quotes doubled. -#}
    {%- for pair in pairs -%}
        ({{ pair[0] | int }}, '{{ pair[1] | replace("'", "''") }}'){% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
