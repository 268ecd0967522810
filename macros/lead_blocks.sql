{% macro lead_block(lead_id) -%}
    {#- The block of a lead id: lead ids fall into blocks of 2^lead_block_bits ids (DECISIONLOG 75); a
        lead's block and its position in it never change. -#}
    ({{ lead_id }} >> {{ var('lead_block_bits') }})
{%- endmacro %}


{% macro empty_lead_bitmap() -%}
    {#- A bitmap of no lead of a block: 2^lead_block_bits zero bits. -#}
    repeat('0', {{ 2 ** (var('lead_block_bits') | int) }})::bit varying
{%- endmacro %}


{% macro lead_bitmap(lead_id, condition='true') -%}
    {#- Aggregate: the bitmap of the rows' leads (bit `lead_id` mod 2^lead_block_bits set) for which
        `condition` holds, over rows of one block; all zeros when none does. -#}
    coalesce(
        bit_or(
            set_bit({{ empty_lead_bitmap() }}, ({{ lead_id }} & {{ 2 ** (var('lead_block_bits') | int) - 1 }})::integer, 1)
        ) filter (where {{ condition }}),
        {{ empty_lead_bitmap() }}
    )
{%- endmacro %}


{% macro changed_lead_blocks() -%}
    {#- The (tenant_id, lead_block) pairs an incremental run of the current model rebuilds: the blocks of
        the leads fct_leads (re)loaded since this model's last run. fct_leads reloads a lead whenever the
        lead or one of its calls changed, the lead a call left included, so a block's bitmaps change
        only with one of them. Every block-keyed model writes a marker row for each block it rebuilds,
        so its high-water mark follows every run that changed a lead. -#}
    select distinct
        changed.tenant_id,
        {{ lead_block('changed.lead_id') }} as lead_block
    from {{ ref('fct_leads') }} as changed
    where changed.dbt_loaded_at > {{ max_of_this('dbt_loaded_at') }}
{%- endmacro %}


{% macro delete_changed_lead_blocks() -%}
    {#- Pre-hook of a block-keyed incremental model without marker rows: delete every changed block
        (changed_lead_blocks) before the run inserts its new rows, so a block that no longer holds any
        row is emptied too (delete+insert alone deletes only the keys present in the new rows). -#}
    {%- if is_incremental() %}
    delete from {{ this }} as target
    using ({{ changed_lead_blocks() }}) as changed
    where
        target.tenant_id = changed.tenant_id
        and target.lead_block = changed.lead_block
    {%- else %}
    select 1
    {%- endif %}
{%- endmacro %}


{% macro leads_in_changed_blocks(leads) -%}
    {#- The rows of `leads` (a relation or CTE of fct_leads) a block-keyed model rebuilds: on an incremental
        run those of the changed blocks (changed_lead_blocks), each block one range scan of the
        (tenant_id, lead_id) index; on a full refresh all of them. -#}
    {%- if is_incremental() %}
        select in_block.*
        from ({{ changed_lead_blocks() }}) as blocks
        cross join
            lateral (
                select block_leads.*
                from {{ leads }} as block_leads
                where
                    block_leads.tenant_id = blocks.tenant_id
                    and block_leads.lead_id >= blocks.lead_block << {{ var('lead_block_bits') }}
                    -- the block's last id, written so that the last block's does not wrap past bigint
                    and block_leads.lead_id <= (blocks.lead_block << {{ var('lead_block_bits') }})
                    + {{ 2 ** (var('lead_block_bits') | int) - 1 }}
            ) as in_block
    {%- else %}
        select * from {{ leads }}
    {%- endif %}
{%- endmacro %}
