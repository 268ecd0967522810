{% macro align_call_lead_attributes() -%}
    {#- Post-hook of fct_leads: give the calls of every lead this run loaded the lead's attributes as
        fct_leads now holds them (fct_calls.lead_created_at, lead_campaign_id, lead_source). fct_calls
        reads raw.leads before fct_leads does, so a lead replicated in between was built with its old
        attributes on its calls and its new ones in fct_leads; a lead report that reads the cohort's
        stages from the calls (agent and team filters) then missed or double-counted it, and the live
        answers, which compare raw with fct_leads, did not see it (DECISIONLOG 92). A full refresh
        loads every lead, so there only the leads replicated since the look-back before the cutoff
        are compared (the rest were read by both models before the build began). -#}
    update {{ ref('fct_calls') }} as calls
    set
        lead_created_at = leads.created_at,
        lead_campaign_id = leads.campaign_id,
        lead_source = leads.lead_source
    from {{ this }} as leads
    where
        leads.dbt_loaded_at = '{{ run_started_at }}'::timestamptz
    {%- if not is_incremental() %}
            and leads.updated_at
            >= {{ build_cutoff() }} - interval '{{ var("incremental_lookback_hours") }} hours'
    {%- endif %}
        and calls.tenant_id = leads.tenant_id
        and calls.lead_id = leads.lead_id
        and (calls.lead_created_at, calls.lead_campaign_id, calls.lead_source)
        is distinct from (leads.created_at, leads.campaign_id, leads.lead_source)
{%- endmacro %}
