-- Assert that a lead's funnel milestones nest as docs/api-reference.md §2 defines them: an answered
-- call, a talk over 30 s and a disposition are dials; a conversion is an answered call.
select lead_id
from {{ ref('fct_leads') }}
where
    {{ audited_where() }}
    and (
        first_answer_at < first_dial_at
        or first_talk_over_30s_at < first_dial_at
        or first_disposed_at < first_dial_at
        or first_conversion_at < first_answer_at
        or (first_dial_at is null and coalesce(
            first_answer_at, first_talk_over_30s_at, first_disposed_at, first_conversion_at
        ) is not null)
    )
