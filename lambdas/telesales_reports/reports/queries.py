"""SQL over the marts for every report: the shared filters and the timezone bucketing live here.

Every statement binds its values (`%(name)s`); nothing from a request is formatted into SQL.
Call-based reports read `calls_source`: whole 15-minute UTC slots of the window from
agg_calls_15m, and the partial slots at the window's two edges call by call from fct_calls.
Both carry the same additive measures, so the union is exact for any window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from psycopg import sql

from ..api.params import ReportRequest

SLOT_SECONDS = 900

MEASURES = (
    "dials",
    "answers",
    "connected_calls",
    "abandoned_calls",
    "rejected_calls",
    "pdpl_blocked_calls",
    "conversions",
    "talk_sec",
    "handle_sec",
)

FCT_MEASURES = sql.SQL(
    """
    is_dial::int as dials,
    is_answered::int as answers,
    is_connected::int as connected_calls,
    is_abandoned::int as abandoned_calls,
    is_rejected::int as rejected_calls,
    is_pdpl_blocked::int as pdpl_blocked_calls,
    is_conversion::int as conversions,
    case when is_dial then talk_sec else 0 end as talk_sec,
    case when is_dial then handle_sec else 0 end as handle_sec
    """
)


def _slot_floor(moment: datetime) -> datetime:
    seconds = moment.timestamp()
    return datetime.fromtimestamp(seconds - seconds % SLOT_SECONDS, tz=moment.tzinfo)


def _slot_ceil(moment: datetime) -> datetime:
    floor = _slot_floor(moment)
    return floor if floor == moment else floor + timedelta(seconds=SLOT_SECONDS)


def base_params(req: ReportRequest) -> dict:
    """The bound values every report query shares."""
    params: dict = {
        "tenant_id": req.tenant_id,
        "window_start": req.window_start,
        "window_end": req.window_end,
        "campaign_id": req.campaign_id,
        "team_id": req.team_id,
        "agent_ids": list(req.agent_ids),
        "timezone": req.timezone,
    }
    if req.window_start is not None:
        slot_from, slot_to = _slot_ceil(req.window_start), _slot_floor(req.window_end)
        if slot_from >= slot_to:  # no whole slot: every call of the window comes from fct_calls
            slot_from = slot_to = req.window_end
        params["slot_from"], params["slot_to"] = slot_from, slot_to
    return params


def call_filters(req: ReportRequest, alias: str = "") -> sql.Composable:
    """REPORTS.md section 1, Filters: campaign, agents, and team (the call's team, else the agent's
    current team when the call has none)."""
    prefix = sql.SQL(alias + ".") if alias else sql.SQL("")
    parts: list[sql.Composable] = []
    if req.campaign_id is not None:
        parts.append(sql.SQL("and {p}campaign_id = %(campaign_id)s").format(p=prefix))
    if req.agent_ids:
        parts.append(sql.SQL("and {p}agent_id = any(%(agent_ids)s)").format(p=prefix))
    if req.team_id is not None:
        parts.append(
            sql.SQL(
                "and ({p}team_id = %(team_id)s or ({p}team_id is null and {p}agent_id in ("
                "select team_agents.agent_id from marts.dim_agents as team_agents "
                "where team_agents.tenant_id = %(tenant_id)s and team_agents.team_id = %(team_id)s)))"
            ).format(p=prefix)
        )
    return sql.SQL(" ").join(parts)


def calls_source(req: ReportRequest) -> sql.Composable:
    """Rows (slot_start, campaign_id, agent_id, team_id, measures...) of the window's calls."""
    filters = call_filters(req)
    measures = sql.SQL(", ").join(sql.Identifier(m) for m in MEASURES)
    return sql.SQL(
        """
        select slot_start, campaign_id, agent_id, team_id, {measures}
        from marts.agg_calls_15m
        where tenant_id = %(tenant_id)s
            and slot_start >= %(slot_from)s and slot_start < %(slot_to)s
            {filters}
        union all
        select slot_start, campaign_id, agent_id, team_id, {fct_measures}
        from marts.fct_calls
        where tenant_id = %(tenant_id)s
            and (
                (started_at >= %(window_start)s and started_at < %(slot_from)s)
                or (started_at >= %(slot_to)s and started_at < %(window_end)s)
            )
            {filters}
        """
    ).format(measures=measures, fct_measures=FCT_MEASURES, filters=filters)


def dashboard(req: ReportRequest) -> sql.Composable:
    return sql.SQL(
        """
        select
            coalesce(sum(dials), 0)::bigint as dials,
            coalesce(sum(answers), 0)::bigint as answers,
            coalesce(sum(talk_sec), 0)::bigint as talk_sec,
            coalesce(sum(handle_sec), 0)::bigint as handle_sec,
            coalesce(sum(conversions), 0)::bigint as conversions,
            coalesce(sum(pdpl_blocked_calls), 0)::bigint as pdpl_blocked_calls,
            count(distinct agent_id) filter (where dials > 0) as unique_agents
        from ({source}) as calls
        """
    ).format(source=calls_source(req))


def agent_performance(req: ReportRequest) -> sql.Composable:
    return sql.SQL(
        """
        select
            calls.agent_id,
            agents.agent_name,
            agents.username,
            sum(calls.dials)::bigint as dials,
            sum(calls.answers)::bigint as answers,
            sum(calls.handle_sec)::bigint as handle_sec,
            sum(calls.conversions)::bigint as conversions
        from ({source}) as calls
        left join marts.dim_agents as agents
            on agents.tenant_id = %(tenant_id)s and agents.agent_id = calls.agent_id
        where calls.agent_id is not null
        group by calls.agent_id, agents.agent_name, agents.username
        having sum(calls.dials) > 0
        order by conversions desc, calls.agent_id asc
        """
    ).format(source=calls_source(req))


def heatmap(req: ReportRequest) -> sql.Composable:
    return sql.SQL(
        """
        select
            extract(dow from slot_start at time zone %(timezone)s)::int as day_of_week,
            extract(hour from slot_start at time zone %(timezone)s)::int as hour,
            sum(dials)::bigint as dials,
            sum(answers)::bigint as answers
        from ({source}) as calls
        group by 1, 2
        """
    ).format(source=calls_source(req))


BUCKET_FORMATS = {"day": "YYYY-MM-DD", "week": 'IYYY-"W"IW', "hour": "YYYY-MM-DD HH24:00:00"}


def time_series(req: ReportRequest) -> sql.Composable:
    return sql.SQL(
        """
        select
            to_char(slot_start at time zone %(timezone)s, %(bucket_format)s) as bucket,
            sum(dials)::bigint as dials,
            sum(answers)::bigint as answers,
            sum(talk_sec)::bigint as talk_sec,
            sum(conversions)::bigint as conversions
        from ({source}) as calls
        group by 1
        having sum(dials) > 0
        """
    ).format(source=calls_source(req))


def disposition_breakdown(req: ReportRequest) -> sql.Composable:
    return sql.SQL(
        """
        select
            calls.disposition_code as code,
            dispositions.disposition_label as label,
            dispositions.disposition_category as category,
            dispositions.disposition_color as color,
            count(*)::bigint as count
        from marts.fct_calls as calls
        left join marts.dim_dispositions as dispositions
            on dispositions.tenant_id = %(tenant_id)s
            and dispositions.disposition_code = calls.disposition_code
        where calls.tenant_id = %(tenant_id)s
            and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
            and calls.is_dial
            and calls.disposition_code is not null
            {filters}
        group by 1, 2, 3, 4
        order by count desc, calls.disposition_code collate "C" asc
        """
    ).format(filters=call_filters(req, "calls"))


def caller_id_health(req: ReportRequest) -> sql.Composable:
    return sql.SQL(
        """
        with window_calls as (
            select
                calls.caller_id,
                count(*)::bigint as total_calls,
                count(*) filter (where calls.is_answered)::bigint as answered_calls,
                coalesce(sum(calls.talk_sec), 0)::bigint as talk_sec,
                count(*) filter (
                    where calls.is_connected and calls.talk_sec < %(short_call_sec)s
                )::bigint as short_calls,
                count(*) filter (where calls.is_rejected)::bigint as rejected_calls
            from marts.fct_calls as calls
            where calls.tenant_id = %(tenant_id)s
                and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
                and calls.is_dial
                and calls.caller_id is not null
                {filters}
            group by calls.caller_id
        ),

        local_today as (
            select
                (date_trunc('day', now() at time zone %(timezone)s)) at time zone %(timezone)s as day_start,
                (date_trunc('day', now() at time zone %(timezone)s) + interval '1 day')
                    at time zone %(timezone)s as day_end
        ),

        today_calls as (
            -- Live (REPORTS.md section 3): all of today's dials of the caller ID, no filters.
            select raw_calls.caller_id, count(*)::bigint as calls_today
            from raw.calls as raw_calls, local_today
            where raw_calls.tenant_id = %(tenant_id)s
                and raw_calls.result <> 'blocked'
                and raw_calls.started_at >= local_today.day_start
                and raw_calls.started_at < local_today.day_end
            group by raw_calls.caller_id
        )

        select
            pool.cid,
            pool.display_name,
            pool.carrier,
            pool.cli_type,
            pool.pool_status,
            pool.cooldown_until,
            pool.daily_cap,
            coalesce(window_calls.total_calls, 0) as total_calls,
            coalesce(window_calls.answered_calls, 0) as answered_calls,
            coalesce(window_calls.talk_sec, 0) as talk_sec,
            coalesce(window_calls.short_calls, 0) as short_calls,
            coalesce(window_calls.rejected_calls, 0) as rejected_calls,
            coalesce(today_calls.calls_today, 0) as calls_today
        from marts.dim_caller_ids as pool
        left join window_calls on window_calls.caller_id = pool.cid
        left join today_calls on today_calls.caller_id = pool.cid
        where pool.tenant_id = %(tenant_id)s
        order by coalesce(window_calls.total_calls, 0) desc, pool.cid collate "C" asc
        """
    ).format(filters=call_filters(req, "calls"))


def lead_stages(req: ReportRequest) -> sql.Composable:
    """Funnel stage counts per lead source for the cohort (leads created in the window).

    A cohort lead's stages come from its milestones in fct_leads, unless it has irregular calls or
    agent/team filters apply; then from its calls in the window that pass every filter.
    """
    cohort_campaign = sql.SQL("and campaign_id = %(campaign_id)s") if req.campaign_id is not None else sql.SQL("")
    return sql.SQL(
        """
        with cohort as (
            select lead_id, lead_source, has_irregular_calls or %(exact)s as needs_calls,
                first_dial_at, first_answer_at, first_talk_over_30s_at, first_disposed_at, first_conversion_at
            from marts.fct_leads
            where tenant_id = %(tenant_id)s
                and created_at >= %(window_start)s and created_at < %(window_end)s
                {cohort_campaign}
        ),

        from_milestones as (
            select
                lead_source,
                count(*) as total_leads,
                count(*) filter (where first_dial_at < %(window_end)s) as dialed,
                count(*) filter (where first_answer_at < %(window_end)s) as connected,
                count(*) filter (where first_talk_over_30s_at < %(window_end)s) as talked,
                count(*) filter (where first_disposed_at < %(window_end)s) as disposed,
                count(*) filter (where first_conversion_at < %(window_end)s) as converted
            from cohort
            where not needs_calls
            group by lead_source
        ),

        lead_calls as (
            select
                calls.lead_id,
                bool_or(calls.is_dial) as dialed,
                bool_or(calls.is_answered) as connected,
                bool_or(calls.is_dial and calls.talk_sec > 30) as talked,
                bool_or(calls.is_dial and calls.disposition_code is not null) as disposed,
                bool_or(calls.is_conversion) as converted
            from marts.fct_calls as calls
            inner join cohort on cohort.lead_id = calls.lead_id and cohort.needs_calls
            where calls.tenant_id = %(tenant_id)s
                and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
                {filters}
            group by calls.lead_id
        ),

        from_calls as (
            select
                cohort.lead_source,
                count(*) as total_leads,
                count(*) filter (where lead_calls.dialed) as dialed,
                count(*) filter (where lead_calls.connected) as connected,
                count(*) filter (where lead_calls.talked) as talked,
                count(*) filter (where lead_calls.disposed) as disposed,
                count(*) filter (where lead_calls.converted) as converted
            from cohort
            left join lead_calls on lead_calls.lead_id = cohort.lead_id
            where cohort.needs_calls
            group by cohort.lead_source
        )

        select
            lead_source,
            sum(total_leads)::bigint as total_leads,
            sum(dialed)::bigint as dialed,
            sum(connected)::bigint as connected,
            sum(talked)::bigint as talked,
            sum(disposed)::bigint as disposed,
            sum(converted)::bigint as converted
        from (select * from from_milestones union all select * from from_calls) as per_source
        group by lead_source
        order by sum(total_leads) desc, lead_source collate "C" asc
        """
    ).format(cohort_campaign=cohort_campaign, filters=call_filters(req, "calls"))


ABANDON_CURRENT = """
select
    campaigns.id as campaign_id,
    campaigns.name as campaign_name,
    campaigns.status as campaign_status,
    coalesce(campaigns.abandon_limit_pct, 3.00) as limit_pct,
    (
        select count(*) from raw.calls
        where calls.tenant_id = %(tenant_id)s and calls.campaign_id = %(campaign_id)s
            and calls.started_at >= %(window_from)s and calls.started_at < %(window_to)s
            and calls.result in ('connected', 'abandoned')
    ) as attempts_total,
    (
        select count(*) from raw.calls
        where calls.tenant_id = %(tenant_id)s and calls.campaign_id = %(campaign_id)s
            and calls.started_at >= %(window_from)s and calls.started_at < %(window_to)s
            and calls.result = 'abandoned'
    ) as attempts_abandoned
from raw.campaigns
where campaigns.tenant_id = %(tenant_id)s and campaigns.id = %(campaign_id)s
"""

ABANDON_BREACHES = """
select snapshot_at, window_from, window_to, attempts_total, attempts_abandoned, abandon_rate_pct, limit_pct
from ops.abandon_rate_snapshots
where tenant_id = %(tenant_id)s and campaign_id = %(campaign_id)s and is_breached
order by snapshot_at desc
limit 100
"""

# The scheduled job (REPORTS.md section 3): every active campaign, the 43,200 minutes before the
# snapshot time, at most one row per campaign per 5-minute slot (the primary key).
ABANDON_SNAPSHOT = """
with snapshot as (
    select
        %(snapshot_at)s::timestamptz as snapshot_at,
        date_bin(interval '5 minutes', %(snapshot_at)s::timestamptz, timestamptz '2000-01-01 00:00:00+00') as slot_at,
        %(snapshot_at)s::timestamptz - make_interval(mins => %(window_minutes)s) as window_from
),

measured as (
    select
        campaigns.tenant_id,
        campaigns.id as campaign_id,
        coalesce(campaigns.abandon_limit_pct, 3.00) as limit_pct,
        count(calls.id) filter (where calls.result in ('connected', 'abandoned')) as attempts_total,
        count(calls.id) filter (where calls.result = 'abandoned') as attempts_abandoned
    from raw.campaigns
    cross join snapshot
    left join raw.calls
        on calls.tenant_id = campaigns.tenant_id
        and calls.campaign_id = campaigns.id
        and calls.started_at >= snapshot.window_from
        and calls.started_at < snapshot.snapshot_at
    where campaigns.status = 'active'
    group by campaigns.tenant_id, campaigns.id, campaigns.abandon_limit_pct
)

insert into ops.abandon_rate_snapshots (
    tenant_id, campaign_id, slot_at, snapshot_at, window_from, window_to,
    attempts_total, attempts_abandoned, abandon_rate_pct, limit_pct, is_breached
)
select
    measured.tenant_id,
    measured.campaign_id,
    snapshot.slot_at,
    snapshot.snapshot_at,
    snapshot.window_from,
    snapshot.snapshot_at,
    measured.attempts_total,
    measured.attempts_abandoned,
    case when measured.attempts_total = 0 then 0
        else round(100.0 * measured.attempts_abandoned / measured.attempts_total, 2) end,
    measured.limit_pct,
    measured.attempts_abandoned * 100.0 > measured.limit_pct * measured.attempts_total
from measured
cross join snapshot
on conflict (tenant_id, campaign_id, slot_at) do nothing
returning tenant_id, campaign_id, slot_at, attempts_total, attempts_abandoned, abandon_rate_pct, limit_pct,
    is_breached
"""
