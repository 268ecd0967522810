"""SQL over the marts for every report: the shared filters and the timezone bucketing live here.

Every statement binds its values (`%(name)s`); nothing from a request is formatted into SQL.
A window is cut (`decompose`) into whole UTC days, whole 15-minute slots and the partial slots at
its edges; each piece is read from the narrowest rollup that still has the filtered columns, the
edges call by call from fct_calls. All pieces carry the same additive measures, so their union is
exact for any window (DECISIONLOG 18-19).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from psycopg import sql

from ..db.connection import set_local
from . import live
from .request import ReportRequest
from .window import DAY_SECONDS, HOUR_SECONDS, WEEK_SECONDS, decompose, is_day_aligned

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

# The call measures of one fct_calls row (or live call row), by name: the classification columns of
# the warehouse summed as the rollups sum them.
FCT_MEASURE_EXPRESSIONS = (
    ("dials", "is_dial::int"),
    ("answers", "is_answered::int"),
    ("connected_calls", "is_connected::int"),
    ("abandoned_calls", "is_abandoned::int"),
    ("rejected_calls", "is_rejected::int"),
    ("pdpl_blocked_calls", "is_pdpl_blocked::int"),
    ("conversions", "is_conversion::int"),
    ("talk_sec", "case when is_dial then talk_sec else 0 end"),
    ("handle_sec", "case when is_dial then handle_sec else 0 end"),
)
FCT_MEASURES = sql.SQL(", ").join(sql.SQL(f"{expression} as {name}") for name, expression in FCT_MEASURE_EXPRESSIONS)


def use_local_time(conn, timezone: str) -> None:
    """Make `timezone` the transaction's TimeZone: the report SQL reads local time as `ts::timestamp`.

    `ts at time zone 'CET'` would not do: PostgreSQL looks a name up among the time zone
    abbreviations first, so CET, EET, MET and WET would be fixed offsets without daylight saving.
    The TimeZone setting always resolves a name as a TZDB zone (DECISIONLOG 47).
    """
    set_local(conn, "TimeZone", timezone)


def base_params(req: ReportRequest) -> dict:
    """The bound values every report query shares."""
    return {
        "tenant_id": req.tenant_id,
        "window_start": req.window_start,
        "window_end": req.window_end,
        "campaign_id": req.campaign_id,
        "team_id": req.team_id,
        "agent_ids": list(req.agent_ids),
    }


def has_agent_filter(req: ReportRequest) -> bool:
    return bool(req.agent_ids) or req.team_id is not None


def _range(params: dict, lower: datetime, upper: datetime) -> tuple[sql.Placeholder, sql.Placeholder]:
    """Bind a [lower, upper) range under fresh parameter names."""
    index = len([k for k in params if k.startswith("range_")]) // 2
    params[f"range_{index}_from"], params[f"range_{index}_to"] = lower, upper
    return sql.Placeholder(f"range_{index}_from"), sql.Placeholder(f"range_{index}_to")


def _piece(
    params: dict, table: str, period: str, lower: datetime, upper: datetime, columns: sql.Composable, filters
) -> sql.Composable:
    low, high = _range(params, lower, upper)
    return sql.SQL(
        "select {columns} from marts.{table} where tenant_id = %(tenant_id)s"
        " and {period} >= {low} and {period} < {high} {filters}"
    ).format(
        columns=columns,
        table=sql.Identifier(table),
        period=sql.Identifier(period),
        low=low,
        high=high,
        filters=filters,
    )


def call_filters(req: ReportRequest, alias: str = "") -> sql.Composable:
    """docs/api-reference.md §1, Filters: campaign, agents, and team (the call's team, else the agent's
    current team when the call has none)."""
    prefix = sql.SQL(alias + ".") if alias else sql.SQL("")
    parts: list[sql.Composable] = []
    if req.campaign_id is not None:
        parts.append(sql.SQL("and {p}campaign_id = %(campaign_id)s").format(p=prefix))
    if req.agent_ids:
        parts.append(sql.SQL("and {p}agent_id = any(%(agent_ids)s)").format(p=prefix))
    if req.team_id is not None:
        parts.append(
            sql.SQL("and ({p}team_id = %(team_id)s or ({p}team_id is null and {p}agent_id in ({agents})))").format(
                p=prefix, agents=TEAM_AGENTS
            )
        )
    return sql.SQL(" ").join(parts)


# The agents whose calls without a team count for the request's team (docs/api-reference.md §1, the
# agent's current team): the team's agents as the published build saw them (dim_agents; a user's team
# applies from the next build, §6.1) and the users created since that build with that team (ids
# created since the build count at once, §6.1: there is no earlier team to keep).
TEAM_AGENTS = sql.SQL(
    "select team_agents.agent_id from marts.dim_agents as team_agents"
    " where team_agents.tenant_id = %(tenant_id)s and team_agents.team_id = %(team_id)s"
    " union all"
    " select new_agents.agent_id from staging.stg_raw__users as new_agents"
    " where new_agents.tenant_id = %(tenant_id)s and new_agents.team_id = %(team_id)s"
    " and not exists (select from marts.dim_agents as built_agents"
    " where built_agents.tenant_id = %(tenant_id)s and built_agents.agent_id = new_agents.agent_id)"
)


def filter_arms(req: ReportRequest, alias: str = "") -> list[sql.Composable]:
    """The call filters as disjoint alternatives an index can serve: a team filter (the call's team, else
    the agent's current team) becomes two arms, `team_id = t` (a team_id index) and the team's agents'
    calls without a team (an agent_id index), instead of one OR that no index serves. Without a team
    filter, one arm: call_filters. A report sums one piece per arm."""
    if req.team_id is None:
        return [call_filters(req, alias)]
    others = call_filters(replace(req, team_id=None), alias)
    prefix = sql.SQL(alias + ".") if alias else sql.SQL("")
    return [
        sql.SQL("{others} and {p}team_id = %(team_id)s").format(others=others, p=prefix),
        sql.SQL("{others} and {p}team_id is null and {p}agent_id in ({agents})").format(
            others=others, p=prefix, agents=TEAM_AGENTS
        ),
    ]


def _rollup_columns(period: str, agent: bool) -> sql.Composable:
    measures = sql.SQL(", ").join(sql.Identifier(m) for m in MEASURES)
    agent_column = sql.SQL("agent_id") if agent else sql.SQL("null::bigint")
    return sql.SQL("{period} as slot_start, {agent} as agent_id, {measures}").format(
        period=sql.Identifier(period), agent=agent_column, measures=measures
    )


FCT_COLUMNS = sql.SQL("slot_start, agent_id, {measures}").format(measures=FCT_MEASURES)


def calls_source(req: ReportRequest, params: dict, bucketed: bool) -> sql.Composable:
    """Rows (slot_start, agent_id, measures...) covering the window's calls that pass the filters.

    Whole UTC days come from a daily rollup (reports that do not bucket by local time), whole
    15-minute slots from the narrowest 15-minute rollup that still has the filtered columns, and the
    partial slots at the edges call by call from fct_calls. Bucketed reports use slots only: a
    slot's start maps to one local hour in every timezone.
    """
    pieces = decompose(req.window_start, req.window_end, None if bucketed else DAY_SECONDS)
    unfiltered = req.campaign_id is None and not has_agent_filter(req)
    if bucketed and unfiltered:
        slot_table, slot_agent = "agg_calls_tenant_15m", False
    elif bucketed and not has_agent_filter(req):
        slot_table, slot_agent = "agg_calls_campaign_15m", False
    elif bucketed and team_alone(req):
        # a team filter alone: both arms (filter_arms) from the team rollup, one index range each
        slot_table, slot_agent = "agg_calls_team_15m", False
    elif bucketed and req.campaign_id is None and req.team_id is None:
        # agents alone: the agent rollup (a third of the rows of the campaign x agent x team one)
        slot_table, slot_agent = "agg_calls_agent_15m", True
    else:
        slot_table, slot_agent = "agg_calls_campaign_agent_team_15m", True
    parts: list[sql.Composable] = []
    for filters in filter_arms(req):
        if pieces.coarse:
            if unfiltered:
                day_table = "agg_calls_agent_daily"
            elif not has_agent_filter(req):
                day_table = "agg_calls_campaign_agent_daily"  # a campaign alone: stored in campaign order
            elif req.campaign_id is None:
                day_table = "agg_calls_agent_team_daily"  # a team or agents: a twentieth of the rows below
            else:
                day_table = "agg_calls_campaign_agent_team_daily"
            parts.append(
                _piece(params, day_table, "day_start", *pieces.coarse, _rollup_columns("day_start", True), filters)
            )
        for lower, upper in pieces.slots:
            parts.append(
                _piece(
                    params, slot_table, "slot_start", lower, upper, _rollup_columns("slot_start", slot_agent), filters
                )
            )
        for lower, upper in pieces.edges:
            parts.append(_piece(params, "fct_calls", "started_at", lower, upper, FCT_COLUMNS, filters))
    parts += live.call_delta(
        ("slot_start", "agent_id"), FCT_MEASURE_EXPRESSIONS, sql.SQL(""), lambda alias: call_filters(req, alias)
    )
    return sql.SQL(" union all ").join(parts)


def dashboard(req: ReportRequest, params: dict) -> sql.Composable:
    return sql.SQL(
        """
        select
            coalesce(sum(dials), 0)::bigint as dials,
            coalesce(sum(answers), 0)::bigint as answers,
            coalesce(sum(talk_sec), 0)::bigint as talk_sec,
            coalesce(sum(handle_sec), 0)::bigint as handle_sec,
            coalesce(sum(conversions), 0)::bigint as conversions,
            coalesce(sum(pdpl_blocked_calls), 0)::bigint as pdpl_blocked_calls,
            count(agent_id) filter (where dials > 0) as unique_agents
        from (
            -- per agent first: the live rows remove built calls with negative measures
            select
                agent_id,
                sum(dials) as dials,
                sum(answers) as answers,
                sum(talk_sec) as talk_sec,
                sum(handle_sec) as handle_sec,
                sum(conversions) as conversions,
                sum(pdpl_blocked_calls) as pdpl_blocked_calls
            from ({source}) as calls
            group by agent_id
        ) as per_agent
        """
    ).format(source=calls_source(req, params, bucketed=False))


def agent_performance(req: ReportRequest, params: dict) -> sql.Composable:
    # per agent first, then the 200-odd names: joining the names to every rollup row first made the
    # grouping hash thousands of rows on two text columns
    return sql.SQL(
        """
        select
            per_agent.agent_id,
            agents.agent_name,
            agents.username,
            per_agent.dials,
            per_agent.answers,
            per_agent.handle_sec,
            per_agent.conversions
        from (
            select
                calls.agent_id,
                sum(calls.dials)::bigint as dials,
                sum(calls.answers)::bigint as answers,
                sum(calls.handle_sec)::bigint as handle_sec,
                sum(calls.conversions)::bigint as conversions
            from ({source}) as calls
            where calls.agent_id is not null
            group by calls.agent_id
            having sum(calls.dials) > 0
        ) as per_agent
        left join staging.stg_raw__users as agents  -- names as they stand (live)
            on agents.tenant_id = %(tenant_id)s and agents.agent_id = per_agent.agent_id
        order by per_agent.conversions desc, per_agent.agent_id asc
        """
    ).format(source=calls_source(req, params, bucketed=False))


def heatmap(req: ReportRequest, params: dict) -> sql.Composable:
    return sql.SQL(
        """
        select
            extract(dow from slot_start::timestamp)::int as day_of_week,
            extract(hour from slot_start::timestamp)::int as hour,
            sum(dials)::bigint as dials,
            sum(answers)::bigint as answers
        from ({source}) as calls
        group by 1, 2
        """
    ).format(source=calls_source(req, params, bucketed=True))


BUCKET_FORMATS = {"day": "YYYY-MM-DD", "week": 'IYYY-"W"IW', "hour": "YYYY-MM-DD HH24:00:00"}


def time_series(req: ReportRequest, params: dict) -> sql.Composable:
    return sql.SQL(
        """
        select
            to_char(slot_start::timestamp, %(bucket_format)s) as bucket,
            sum(dials)::bigint as dials,
            sum(answers)::bigint as answers,
            sum(talk_sec)::bigint as talk_sec,
            sum(conversions)::bigint as conversions
        from ({source}) as calls
        group by 1
        having sum(dials) > 0
        """
    ).format(source=calls_source(req, params, bucketed=True))


def disposition_breakdown(req: ReportRequest, params: dict) -> sql.Composable:
    """Dials with a disposition per code: whole UTC days from a daily rollup, the rest from fct_calls."""
    pieces = decompose(req.window_start, req.window_end, None, slot_seconds=DAY_SECONDS)
    if not has_agent_filter(req):
        day_table = "agg_dispositions_campaign_daily"
    elif team_alone(req):
        day_table = "agg_dispositions_team_daily"  # a team alone: both arms (filter_arms), one index range each
    else:
        day_table = "agg_dispositions_campaign_agent_team_daily"
    parts: list[sql.Composable] = []
    for filters in filter_arms(req):
        parts += [
            _piece(params, day_table, "day_start", lower, upper, sql.SQL("disposition_code, dials"), filters)
            for lower, upper in pieces.slots
        ]
        parts += [
            _piece(
                params, "fct_calls", "started_at", lower, upper,
                sql.SQL("disposition_code, 1 as dials"),
                sql.SQL("and is_dial and disposition_code is not null {filters}").format(filters=filters),
            )
            for lower, upper in pieces.edges
        ]  # fmt: skip
    parts += live.call_delta(
        ("disposition_code",),
        (("dials", "1"),),
        sql.SQL("and calls.is_dial and calls.disposition_code is not null"),
        lambda alias: call_filters(req, alias),
    )
    return sql.SQL(
        """
        with counted as (
            select disposition_code, sum(dials)::bigint as count
            from ({source}) as coded
            group by disposition_code
            having sum(dials) > 0
        )
        select
            counted.disposition_code as code,
            dispositions.disposition_label as label,
            dispositions.disposition_category as category,
            dispositions.disposition_color as color,
            counted.count
        from counted
        left join staging.stg_raw__dispositions as dispositions  -- labels as they stand (live)
            on dispositions.tenant_id = %(tenant_id)s
            and dispositions.disposition_code = counted.disposition_code
        order by counted.count desc, counted.disposition_code collate "C" asc
        """
    ).format(source=sql.SQL(" union all ").join(parts))


CALLER_MEASURES = sql.SQL("caller_id, total_calls, answered_calls, talk_sec, short_calls, rejected_calls")
FCT_CALLER_MEASURE_EXPRESSIONS = (
    ("total_calls", "1"),
    ("answered_calls", "is_answered::int"),
    ("talk_sec", "talk_sec"),
    ("short_calls", "(is_connected and talk_sec < %(short_call_sec)s)::int"),
    ("rejected_calls", "is_rejected::int"),
)
FCT_CALLER_MEASURES = sql.SQL(", ").join(
    [sql.SQL("caller_id"), *(sql.SQL(f"{expression} as {name}") for name, expression in FCT_CALLER_MEASURE_EXPRESSIONS)]
)


# The calls the caller-ID measures count, and the columns of a changed one they read (a CTE, CHANGED_DIALS).
DIALS_WITH_CALLER_ID = sql.SQL("and calls.is_dial and calls.caller_id is not null")
CHANGED_DIALS = "changed_dials"
CHANGED_DIAL_COLUMNS = ("caller_id", "is_answered", "talk_sec", "is_connected", "is_rejected")


def caller_id_health(
    req: ReportRequest, params: dict, rollup_threshold_ok: bool, today: tuple[datetime, datetime] | None = None
) -> sql.Composable:
    """Every caller ID of the pool with its window measures (weekly and daily rollups where they apply)
    and the live count of the dials of `today`, the local day [start, end) (zero without it:
    carrier-health does not show it, and a comparison reuses the count of its current window)."""
    pieces = decompose(req.window_start, req.window_end, WEEK_SECONDS, slot_seconds=DAY_SECONDS)
    # Without a rollup for the filters (or for the request's short-call threshold): the window from fct_calls.
    grain, week_ranges, day_ranges, fct_ranges = "", (), (), ((req.window_start, req.window_end),)
    if rollup_threshold_ok and agents_alone(req) and pieces.coarse:
        # agents alone: whole 7-day periods from the agent rollup (it has no daily grain), the rest of the
        # window from fct_calls (DECISIONLOG 72)
        grain, week_ranges = "agent_", (pieces.coarse,)
        fct_ranges = tuple(
            r for r in ((req.window_start, pieces.coarse[0]), (pieces.coarse[1], req.window_end)) if r[0] < r[1]
        )
    elif rollup_threshold_ok and (team_alone(req) or not has_agent_filter(req)):
        # whole 7-day periods from the weekly rollup, the whole days around them from the daily one; a team
        # filter alone reads both arms (filter_arms) from the team rollups, one index range each
        grain = "team_" if team_alone(req) else "" if req.campaign_id is None else "campaign_"
        week_ranges = (pieces.coarse,) if pieces.coarse else ()
        day_ranges, fct_ranges = pieces.slots, pieces.edges
    parts: list[sql.Composable] = []
    for filters in filter_arms(req):
        parts += [
            _piece(params, f"agg_caller_id_calls_{grain}weekly", "week_start", lo, hi, CALLER_MEASURES, filters)
            for lo, hi in week_ranges
        ]
        parts += [
            _piece(params, f"agg_caller_id_calls_{grain}daily", "day_start", lo, hi, CALLER_MEASURES, filters)
            for lo, hi in day_ranges
        ]
        parts += [
            _piece(
                params, "fct_calls", "started_at", lo, hi, FCT_CALLER_MEASURES,
                sql.SQL("and is_dial and caller_id is not null {filters}").format(filters=filters),
            )
            for lo, hi in fct_ranges
        ]  # fmt: skip
    # With today's count, the window's delta and today's read the changed dials once (a CTE).
    shared = CHANGED_DIALS if today else None
    parts += live.call_delta(
        ("caller_id",),
        FCT_CALLER_MEASURE_EXPRESSIONS,
        sql.SQL("") if shared else DIALS_WITH_CALLER_ID,
        lambda alias: call_filters(req, alias),
        source=shared,
    )
    changed = (
        sql.SQL("{name} as materialized ({body}),").format(
            name=sql.Identifier(CHANGED_DIALS), body=live.changed_calls(CHANGED_DIAL_COLUMNS, DIALS_WITH_CALLER_ID)
        )
        if shared
        else sql.SQL("")
    )
    return sql.SQL(
        """
        with {changed} window_calls as (
            select
                caller_id,
                sum(total_calls)::bigint as total_calls,
                sum(answered_calls)::bigint as answered_calls,
                sum(talk_sec)::bigint as talk_sec,
                sum(short_calls)::bigint as short_calls,
                sum(rejected_calls)::bigint as rejected_calls
            from ({source}) as per_caller
            group by caller_id
        ),

        today_calls as ({today})

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
        from staging.stg_raw__caller_ids as pool  -- the pool as it stands (live)
        left join window_calls on window_calls.caller_id = pool.cid
        left join today_calls on today_calls.caller_id = pool.cid
        where pool.tenant_id = %(tenant_id)s
        order by coalesce(window_calls.total_calls, 0) desc, pool.cid collate "C" asc
        """
    ).format(
        changed=changed,
        source=sql.SQL(" union all ").join(parts),
        today=today_calls(params, *today, source=shared) if today else NO_TODAY_CALLS,
    )


# The local day the request's TimeZone is in (use_local_time), from the database's clock.
LOCAL_TODAY = "select date_trunc('day', now()) as day_start, date_trunc('day', now()) + interval '1 day' as day_end"


def today_calls(params: dict, start: datetime, end: datetime, source: str | None = None) -> sql.Composable:
    """(caller_id, calls_today): every dial of the local day [start, end) per caller ID, no filters
    (docs/api-reference.md §3), live: whole UTC days from agg_caller_id_calls_daily, whole UTC hours from
    agg_caller_id_dials_hourly, partial hours (zones like +05:45) from fct_calls, and the calls changed
    since the build swapped as they stand."""
    params["today_start"], params["today_end"] = start, end
    pieces = decompose(start, end, DAY_SECONDS, slot_seconds=HOUR_SECONDS)
    dials = sql.SQL("caller_id, dials")
    parts = [
        _piece(params, "agg_caller_id_calls_daily", "day_start", lo, hi, sql.SQL("caller_id, total_calls as dials"),
               sql.SQL(""))
        for lo, hi in ((pieces.coarse,) if pieces.coarse else ())
    ]  # fmt: skip
    parts += [
        _piece(params, "agg_caller_id_dials_hourly", "hour_start", lo, hi, dials, sql.SQL(""))
        for lo, hi in pieces.slots
    ]
    parts += [
        _piece(params, "fct_calls", "started_at", lo, hi, sql.SQL("caller_id, 1 as dials"),
               sql.SQL("and is_dial and caller_id is not null"))
        for lo, hi in pieces.edges
    ]  # fmt: skip
    parts += live.call_delta(
        ("caller_id",),
        (("dials", "1"),),
        sql.SQL("") if source else DIALS_WITH_CALLER_ID,
        lambda alias: sql.SQL(""),
        bounds=("today_start", "today_end"),
        source=source,
    )
    return sql.SQL(
        "select caller_id, sum(dials)::bigint as calls_today from ({parts}) as today group by caller_id"
    ).format(parts=sql.SQL(" union all ").join(parts))


NO_TODAY_CALLS = sql.SQL("select null::text as caller_id, 0::bigint as calls_today where false")

CALLER_THRESHOLDS = "select distinct short_call_threshold_sec from marts.agg_caller_id_calls_daily"

STAGES = ("dialed", "connected", "talked", "disposed", "converted")
MILESTONES = {
    "dialed": "first_dial_at",
    "connected": "first_answer_at",
    "talked": "first_talk_over_30s_at",
    "disposed": "first_disposed_at",
    "converted": "first_conversion_at",
}
# The fct_calls flag behind each milestone (lead_milestone_columns).
CALL_FLAGS = {
    "dialed": "is_dial",
    "connected": "is_answered",
    "talked": "is_talk_over_30s",
    "disposed": "is_disposed",
    "converted": "is_conversion",
}
EARLY = {
    "dialed": "last_early_dial_at",
    "connected": "last_early_answer_at",
    "talked": "last_early_talk_over_30s_at",
    "disposed": "last_early_disposed_at",
    "converted": "last_early_conversion_at",
}
CALL_STAGE_FLAGS = sql.SQL(
    """
    bool_or(calls.is_dial) as dialed,
    bool_or(calls.is_answered) as connected,
    bool_or(calls.is_dial and calls.talk_sec > 30) as talked,
    bool_or(calls.is_dial and calls.disposition_code is not null) as disposed,
    bool_or(calls.is_conversion) as converted
    """
)
# A cohort call's columns the funnel's stages read (CALL_STAGE_FLAGS), alike in fct_calls and changed_now.
LEAD_CALL_COLUMNS = sql.SQL(
    "calls.lead_id, calls.lead_source, calls.is_dial, calls.is_answered, calls.talk_sec,"
    " calls.disposition_code, calls.is_conversion"
)
# Per lead source, the leads (rows of per-lead stage flags `lead_calls`) that reached each stage.
LEAD_STAGE_COUNTS = sql.SQL(", ").join(
    sql.SQL("count(*) filter (where lead_calls.{stage}) as {stage}").format(stage=sql.Identifier(s)) for s in STAGES
)


def _stage_counts(condition: str) -> sql.Composable:
    """`count(*) filter (where <condition>) as <stage>` for every stage; `{milestone}` and
    `{early}` in the condition stand for the stage's columns in fct_leads."""
    return sql.SQL(", ").join(
        sql.SQL("count(*) filter (where " + condition + ") as {stage}").format(
            milestone=sql.Identifier(MILESTONES[s]), early=sql.Identifier(EARLY[s]), stage=sql.Identifier(s)
        )
        for s in STAGES
    )


def _reached_day_sums() -> sql.Composable:
    """`sum(<stage>) filter (where reached_day < window end) as <stage>` for every stage: a lead-milestone
    rollup's leads that reached each stage before the window's end."""
    return sql.SQL(", ").join(
        sql.SQL("sum({stage}) filter (where reached_day < %(window_end)s) as {stage}").format(stage=sql.Identifier(s))
        for s in STAGES
    )


def lead_stages(conn, reqs: list[ReportRequest], params: dict) -> str:
    """Funnel stage counts per lead source (docs/api-reference.md §3, funnel) of each window of `reqs`
    (the same tenant and filters: a request and its `compare` window), live: the marts' counts, minus
    the changed leads as built (the same navigation over fct_leads, restricted to them), plus the
    changed leads as they stand now (reports/live.py). One statement: the changed leads are classified
    once (the CTEs know no window) and every row carries its window's index, `win`; window 0 is bound
    as %(window_start)s and %(window_end)s (base_params), window i as %(window_<i>_start)s and
    %(window_<i>_end)s, added to `params` (window_parameters)."""
    req = reqs[0]
    by_agents = bool(req.agent_ids)
    classes = (
        live.agent_lead_ctes(call_filters(req, "calls"))
        if by_agents
        else sql.SQL("live_leads as materialized ({})").format(
            live.lead_stage_classes(MILESTONES, EARLY, CALL_FLAGS, team=req.team_id is not None)
        )
    )
    windows = [
        window_parameters(_lead_stages_of_window(req, index).as_string(conn), params, index, req)
        for index, req in enumerate(reqs)
    ]
    return (
        f"with {classes.as_string(conn)} select * from ({' union all '.join(windows)}) as per_window"
        ' order by win, total_leads desc, lead_source collate "C" asc'
    )


# The names a statement written for one window binds its bounds to (base_params).
WINDOW_PARAMETERS = ("%(window_start)s", "%(window_end)s")


def window_parameters(statement: str, params: dict, index: int, req: ReportRequest) -> str:
    """`statement` (SQL text over WINDOW_PARAMETERS) over the window of `req`: window 0 as it is (the
    names base_params binds), window i with its bounds bound to `params` under names of its own."""
    if index == 0:
        return statement
    start, end = f"window_{index}_start", f"window_{index}_end"
    params[start], params[end] = req.window_start, req.window_end
    low, high = WINDOW_PARAMETERS
    return statement.replace(low, f"%({start})s").replace(high, f"%({end})s")


def _lead_stages_of_window(req: ReportRequest, index: int) -> sql.Composable:
    """(win, lead_source, total_leads, stages...) of one window, written over WINDOW_PARAMETERS, inside
    lead_stages' CTEs."""
    # Under an agent filter the milestones (which know no agents) cannot answer; the cohort's calls are
    # grouped per lead as they stand (DECISIONLOG 85): the built calls of the leads without a changed call
    # (but the changed calls as built), the leads with one regrouped from their unchanged built calls and
    # their changed calls now, and only the leads whose own row changed (or that have no built row)
    # swapped whole. Otherwise the leads live.lead_stage_classes marks are swapped whole (with a team,
    # against the lead's milestones for that team, fct_lead_teams) and the others gain stages.
    by_agents = bool(req.agent_ids)
    changed = live.regrouped_leads(whole=True) if by_agents else live.SWAPPED_LEADS
    negated = sql.SQL(", ").join(
        [sql.SQL("lead_source, -total_leads as total_leads")]
        + [sql.SQL("-{s} as {s}").format(s=sql.Identifier(s)) for s in STAGES]
    )
    parts = _lead_stage_parts(req, None, live_calls=by_agents)
    parts += [
        sql.SQL("select {negated} from ({part}) as built").format(negated=negated, part=part)
        for part in _lead_stage_parts(req, changed, with_calls=not by_agents)
    ]
    parts.append(live.lead_stages_now(CALL_STAGE_FLAGS, STAGES, call_filters(req, "calls"), changed))
    parts.append(
        _regrouped_lead_stages(req)
        if by_agents
        else live.lead_stage_gains(
            CALL_STAGE_FLAGS, MILESTONES, EARLY, call_filters(req, "calls"), req.team_id is not None
        )
    )
    sums = sql.SQL(", ").join(sql.SQL("sum({s})::bigint as {s}").format(s=sql.Identifier(s)) for s in STAGES)
    return sql.SQL(
        """
        select {win} as win, lead_source, sum(total_leads)::bigint as total_leads, {sums}
        from ({parts}) as per_source
        group by lead_source
        having sum(total_leads) > 0
        """
    ).format(win=sql.Literal(index), sums=sums, parts=sql.SQL(" union all ").join(parts))


def _lead_stage_parts(
    req: ReportRequest, only_leads: sql.Composable | None, with_calls: bool = True, live_calls: bool = False
) -> list[sql.Composable]:
    """The marts' funnel stage counts per lead source (see lead_stages); with `only_leads`, the
    contribution of those leads alone, read from fct_leads (never the rollups, which know no leads).
    Without `with_calls`, no part from fct_calls (under agent or team filters: the totals alone). With
    `live_calls` (agent filters, the whole cohort), the calls part reads the built calls that stand as
    built: not changed, of leads not in the query's CTE `regrouped_leads` (live.agent_lead_ctes).

    Cohort: leads created in the window (and the campaign). A lead reached a stage when one of its
    calls in the window that pass the filters qualifies. Three kinds of rows are added up:
    - regular leads (no calls before creation, none in another campaign): a milestone < the window's
      end (the daily rollups when the window is whole UTC days, else fct_leads);
    - irregular leads: the same, or a call before creation at or after the window's start
      (`last_early_*`), unless a campaign filter meets calls in another campaign;
    - from fct_calls: those leads, and every cohort lead under agent or team filters (the milestones
      know no agents).
    Each part yields (lead_source, total_leads, dialed, connected, talked, disposed, converted).
    """
    campaign_filter = req.campaign_id is not None
    by_calls_only = has_agent_filter(req)
    campaign = sql.SQL("and campaign_id = %(campaign_id)s") if campaign_filter else sql.SQL("")
    zeros = sql.SQL(", ").join(sql.SQL("0 as {}").format(sql.Identifier(s)) for s in STAGES)
    whole_days = only_leads is None and is_day_aligned(req.window_start) and is_day_aligned(req.window_end)
    if only_leads is not None:
        campaign = sql.SQL("{campaign} and lead_id = {only}").format(campaign=campaign, only=only_leads)
    parts: list[sql.Composable] = []

    if whole_days:
        table = "agg_lead_milestones_campaign_source_daily" if campaign_filter else "agg_lead_milestones_source_daily"
        parts.append(
            sql.SQL(
                """
                select lead_source, sum(leads) as total_leads, {stages}
                from marts.{table}
                where tenant_id = %(tenant_id)s
                    and created_day >= %(window_start)s and created_day < %(window_end)s {campaign}
                group by lead_source
                """
            ).format(
                table=sql.Identifier(table), campaign=campaign, stages=zeros if by_calls_only else _reached_day_sums()
            )
        )
    else:
        parts.append(
            sql.SQL(
                """
                select lead_source, count(*) as total_leads, {stages}
                from marts.fct_leads
                where tenant_id = %(tenant_id)s and not has_irregular_calls
                    and created_at >= %(window_start)s and created_at < %(window_end)s {campaign}
                group by lead_source
                """
            ).format(
                campaign=campaign, stages=zeros if by_calls_only else _stage_counts("{milestone} < %(window_end)s")
            )
        )

    # Irregular leads: all of their totals; their stages from the columns where those answer exactly.
    by_columns = "not (has_foreign_campaign_calls and %(campaign_filter)s)"
    parts.append(
        sql.SQL(
            """
            select lead_source, count(*) as total_leads, {stages}
            from marts.fct_leads
            where tenant_id = %(tenant_id)s and has_irregular_calls
                and created_at >= %(window_start)s and created_at < %(window_end)s {campaign}
            group by lead_source
            """
        ).format(
            campaign=campaign,
            stages=zeros
            if by_calls_only
            else _stage_counts(f"{by_columns} and ({{milestone}} < %(window_end)s or {{early}} >= %(window_start)s)"),
        )
    )

    if not with_calls:
        return parts
    if by_calls_only and only_leads is None and team_alone(req):
        parts += _team_stage_parts(req, whole_days)
    # Stages from the calls (fct_calls carries its lead's creation time, campaign and source): every
    # cohort lead under agent/team filters, else the irregular leads whose other-campaign calls a
    # campaign filter must leave out.
    elif by_calls_only or campaign_filter:
        call_scope = (
            sql.SQL("")
            if by_calls_only
            else sql.SQL(
                "and calls.lead_id in (select foreign_calls.lead_id from marts.fct_leads as foreign_calls"
                " where foreign_calls.tenant_id = %(tenant_id)s and foreign_calls.has_irregular_calls"
                " and foreign_calls.has_foreign_campaign_calls"
                " and foreign_calls.campaign_id = %(campaign_id)s"
                " and foreign_calls.created_at >= %(window_start)s and foreign_calls.created_at < %(window_end)s)"
            )
        )
        only = sql.SQL("and calls.lead_id = {}").format(only_leads) if only_leads else sql.SQL("")
        as_built = live.UNCHANGED_CALLS_OF_KEPT_LEADS if live_calls else sql.SQL("")
        if live_calls and only_leads is None and agents_alone(req):
            parts.append(_agent_bitmap_stages())
        else:
            parts.append(_per_lead_stages(_cohort_calls(req, sql.SQL(" ").join([call_scope, only, as_built]))))
    return parts


# The cohort's stages under agents alone, as built, of the leads that stand as built (not regrouped:
# live.agent_lead_ctes), from the agents' lead bitmaps (DECISIONLOG 75). Blocks of lead ids whose
# (block, source) rows meeting the window have no call at or after its end are `clean`: there a regular
# cohort lead's bit is exactly "the agents' calls in the window reached the stage" (a regular lead has no
# call before its creation). Their cohort is the stored masks when the rows lie wholly inside the window
# (`whole`), else the block's regular leads created in it, from fct_leads. Four disjoint sets of leads:
# - regular cohort leads of clean blocks not masked (`masked_leads`: regrouped live, or the built lead
#   of a changed call of one of the agents): the agents' bitmaps united (bit_or), masked by the cohort's
#   leads of each source, counted (bit_count);
# - masked regular leads of clean blocks not regrouped, that the agents' bitmaps reach: their built
#   calls that did not change, grouped per lead;
# - every cohort lead of the other blocks: their built calls that stand as built, grouped per lead;
# - irregular leads outside those blocks: their calls from fct_irregular_lead_calls, likewise.
AGENT_BITMAP_CTES = """
    lead_blocks as materialized (
        select lead_block, lead_source, lead_mask,
            first_created_at >= %(window_start)s and last_created_at < %(window_end)s as whole,
            coalesce(last_call_at < %(window_end)s, true) as clean
        from marts.agg_lead_source_blocks
        where tenant_id = %(tenant_id)s
            and last_created_at >= %(window_start)s and first_created_at < %(window_end)s
    ),
    blocks as materialized (
        select lead_block, bool_and(whole) as whole, bool_and(clean) as clean from lead_blocks group by lead_block
    ),
    block_size as materialized (
        select length(lead_mask) as ids, round(log(2, length(lead_mask)))::integer as bits,
            lead_mask & ~lead_mask as zero
        from lead_blocks limit 1
    ),
    -- The leads whose built bits may not stand: those regrouped live, and the built lead of each changed
    -- call that one of the agents made as built. A lead whose changed calls are all other agents' keeps
    -- these agents' bits, as built.
    masked_leads as materialized (
        select regrouped_leads.lead_id from regrouped_leads
        union
        select calls.lead_id from marts.fct_calls as calls
        where calls.tenant_id = %(tenant_id)s and calls.call_id = any(%(live_call_ids)s)
            and calls.agent_id = any(%(agent_ids)s) and calls.lead_id is not null
    ),
    -- One stream of rows per clean block, no join (a join of a few hundred blocks' rows was planned as a
    -- nested loop): the agents' rows, the cohort's masks per source (stored when the block is whole,
    -- else grouped from fct_leads), and one row per masked lead; over each block, the agents'
    -- bitmaps and the live leads united (bit_or as a window).
    block_rows as materialized (
        select rows_of_block.lead_source, rows_of_block.lead_id, rows_of_block.position, rows_of_block.mask,
            bit_or(rows_of_block.dialed) over per_block as dialed,
            bit_or(rows_of_block.connected) over per_block as connected,
            bit_or(rows_of_block.talked) over per_block as talked,
            bit_or(rows_of_block.disposed) over per_block as disposed,
            bit_or(rows_of_block.converted) over per_block as converted,
            bit_or(rows_of_block.live) over per_block as live
        from (
            select lead_block, null::text as lead_source, null::bigint as lead_id, null::integer as position,
                null::bit varying as mask, dialed, connected, talked, disposed, converted, null::bit varying as live
            from marts.agg_agent_lead_blocks
            where tenant_id = %(tenant_id)s and agent_id = any(%(agent_ids)s)
                and lead_block = any(array(select lead_block from blocks where clean))
            union all
            select lead_blocks.lead_block, lead_blocks.lead_source, null, null, bit_or(lead_blocks.lead_mask),
                null, null, null, null, null, null
            from lead_blocks
            inner join blocks on blocks.lead_block = lead_blocks.lead_block and blocks.clean and blocks.whole
            group by lead_blocks.lead_block, lead_blocks.lead_source
            union all
            select blocks.lead_block, in_window.lead_source, null, null, in_window.lead_mask,
                null, null, null, null, null, null
            from blocks
            cross join block_size
            cross join lateral (
                select leads.lead_source,
                    bit_or(set_bit(block_size.zero, (leads.lead_id & (block_size.ids - 1))::integer, 1)) as lead_mask
                from marts.fct_leads as leads
                where leads.tenant_id = %(tenant_id)s
                    and leads.lead_id >= blocks.lead_block * block_size.ids
                    and leads.lead_id <= blocks.lead_block * block_size.ids + (block_size.ids - 1)
                    and not leads.has_irregular_calls
                    and leads.created_at >= %(window_start)s and leads.created_at < %(window_end)s
                group by leads.lead_source
            ) as in_window
            where blocks.clean and not blocks.whole
            union all
            select live.lead_id >> block_size.bits, null, live.lead_id,
                (live.lead_id & (block_size.ids - 1))::integer, null, null, null, null, null, null,
                set_bit(block_size.zero, (live.lead_id & (block_size.ids - 1))::integer, 1)
            from masked_leads as live
            cross join block_size
            where live.lead_id >> block_size.bits = any(array(select lead_block from blocks where clean))
        ) as rows_of_block
        window per_block as (partition by rows_of_block.lead_block)
    )
"""


def _agent_bitmap_stages() -> sql.Composable:
    """(lead_source, 0, stages...): the cohort's stages under agents alone, as AGENT_BITMAP_CTES says."""
    stages = sql.SQL(", ").join(
        sql.SQL("sum(bit_count(cohort.{s} & cohort.kept)) as {s}").format(s=sql.Identifier(s)) for s in STAGES
    )
    counted = sql.SQL(
        """
        select cohort.lead_source, 0 as total_leads, {stages}
        from (
            -- the cohort's leads of each row but the live ones, once per row (offset 0: not re-computed
            -- for each stage)
            select block_rows.lead_source, block_rows.dialed, block_rows.connected, block_rows.talked,
                block_rows.disposed, block_rows.converted,
                block_rows.mask & ~coalesce(block_rows.live, block_rows.mask & ~block_rows.mask) as kept
            from block_rows
            where block_rows.mask is not null and block_rows.dialed is not null
            offset 0
        ) as cohort
        group by cohort.lead_source
        """
    ).format(stages=stages)
    window = sql.SQL(
        "and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s"
        " and calls.lead_created_at >= %(window_start)s and calls.lead_created_at < %(window_end)s"
        " and calls.agent_id = any(%(agent_ids)s) {as_built}"
    ).format(as_built=live.UNCHANGED_CALLS_OF_KEPT_LEADS)
    exact = sql.SQL(
        """
        select {columns}
        from marts.fct_calls as calls
        where calls.tenant_id = %(tenant_id)s
            and calls.lead_id = any(array(
                select block_rows.lead_id from block_rows
                where block_rows.lead_id is not null and block_rows.dialed is not null
                    and get_bit(block_rows.dialed | block_rows.connected | block_rows.talked
                        | block_rows.disposed | block_rows.converted, block_rows.position) = 1
            ))
            {window}
        union all
        select in_block.*
        from blocks
        cross join block_size
        cross join lateral (
            select {columns}
            from marts.fct_calls as calls
            where calls.tenant_id = %(tenant_id)s
                and calls.lead_id >= blocks.lead_block * block_size.ids
                and calls.lead_id <= blocks.lead_block * block_size.ids + (block_size.ids - 1)
                {window}
            offset 0
        ) as in_block
        where not blocks.clean
        union all
        select {columns}
        from marts.fct_irregular_lead_calls as calls
        where calls.tenant_id = %(tenant_id)s
            and calls.lead_block <> all(array(select lead_block from blocks where not clean))
            {window}
        """
    ).format(columns=LEAD_CALL_COLUMNS, window=window)
    return sql.SQL("select * from (with {ctes} {counted} union all {exact}) as agent_bitmaps").format(
        ctes=sql.SQL(AGENT_BITMAP_CTES), counted=counted, exact=_per_lead_stages(exact)
    )


def _lead_campaign(req: ReportRequest) -> sql.Composable:
    """The campaign filter on a cohort call's lead (`calls.lead_campaign_id`), when there is one."""
    return sql.SQL("and calls.lead_campaign_id = %(campaign_id)s" if req.campaign_id is not None else "")


def _cohort_calls(req: ReportRequest, where: sql.Composable) -> sql.Composable:
    """The cohort's calls in the window that pass every filter, from fct_calls (which carries each call's
    lead's creation time, campaign and source), one arm per filter_arms alternative; `where` adds
    conditions on `calls`."""
    return sql.SQL(" union all ").join(
        sql.SQL(
            """
            select {columns} from marts.fct_calls as calls
            where calls.tenant_id = %(tenant_id)s
                and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
                and calls.lead_created_at >= %(window_start)s and calls.lead_created_at < %(window_end)s
                {lead_campaign} {where} {filters}
            """
        ).format(columns=LEAD_CALL_COLUMNS, lead_campaign=_lead_campaign(req), where=where, filters=filters)
        for filters in filter_arms(req, "calls")
    )


def _per_lead_stages(calls: sql.Composable) -> sql.Composable:
    """(lead_source, 0, stages...): the leads of `calls` (rows of LEAD_CALL_COLUMNS) grouped per lead, and
    per lead source those that reached each stage."""
    return sql.SQL(
        """
        select lead_source, 0 as total_leads, {stage_counts}
        from (
            select calls.lead_id, calls.lead_source, {flags}
            from ({calls}) as calls
            group by calls.lead_id, calls.lead_source
        ) as lead_calls
        group by lead_source
        """
    ).format(stage_counts=LEAD_STAGE_COUNTS, flags=CALL_STAGE_FLAGS, calls=calls)


def _regrouped_lead_stages(req: ReportRequest) -> sql.Composable:
    """(lead_source, 0, stages...) under agent filters of the cohort leads regrouped (live.agent_lead_ctes):
    their built calls that did not change and their changed calls as they stand (changed_now), in the
    window and passing every filter. Their rows did not change since the build, so fct_calls and fct_leads
    hold their creation time, campaign and source as they stand."""
    regrouped = live.regrouped_leads(whole=False)
    built = _cohort_calls(
        req,
        sql.SQL("and calls.lead_id = {regrouped} and calls.call_id <> all(%(live_call_ids)s)").format(
            regrouped=regrouped
        ),
    )
    now = sql.SQL(
        """
        select {columns} from changed_now as calls
        where calls.built_lead
            and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
            and calls.lead_created_at >= %(window_start)s and calls.lead_created_at < %(window_end)s
            {lead_campaign}
            and calls.lead_id = {regrouped}
        """
    ).format(
        columns=LEAD_CALL_COLUMNS,
        lead_campaign=_lead_campaign(req),
        regrouped=regrouped,
    )
    return _per_lead_stages(sql.SQL("{built} union all {now}").format(built=built, now=now))


def _team_stage_parts(req: ReportRequest, whole_days: bool) -> list[sql.Composable]:
    """The cohort's stages under a team filter alone (DECISIONLOG 70), from the leads' milestones per team
    (fct_lead_teams: the call's team, else the agent's team as of the build, as dim_agents and the
    filter arms): regular leads from agg_lead_milestones_team_daily over whole UTC days (else from
    fct_lead_teams), irregular ones from fct_lead_teams' columns (a milestone < the window's end, or a
    call before creation at or after its start). Totals come from the other parts (0 here)."""
    regular = (
        sql.SQL(
            """
            select lead_source, 0 as total_leads, {stages}
            from marts.agg_lead_milestones_team_daily
            where tenant_id = %(tenant_id)s and team_id = %(team_id)s
                and created_day >= %(window_start)s and created_day < %(window_end)s
            group by lead_source
            """
        ).format(stages=_reached_day_sums())
        if whole_days
        else sql.SQL(
            """
            select lead_source, 0 as total_leads, {stages}
            from marts.fct_lead_teams
            where tenant_id = %(tenant_id)s and team_id = %(team_id)s and not has_irregular_calls
                and created_at >= %(window_start)s and created_at < %(window_end)s
            group by lead_source
            """
        ).format(stages=_stage_counts("{milestone} < %(window_end)s"))
    )
    irregular = sql.SQL(
        """
        select lead_source, 0 as total_leads, {stages}
        from marts.fct_lead_teams
        where tenant_id = %(tenant_id)s and team_id = %(team_id)s and has_irregular_calls
            and created_at >= %(window_start)s and created_at < %(window_end)s
        group by lead_source
        """
    ).format(stages=_stage_counts("{milestone} < %(window_end)s or {early} >= %(window_start)s"))
    return [regular, irregular]


def team_alone(req: ReportRequest) -> bool:
    """A team filter with no campaign and no agents: the reports' team rollups serve it."""
    return req.team_id is not None and req.campaign_id is None and not req.agent_ids


def agents_alone(req: ReportRequest) -> bool:
    """Agents with no campaign and no team: the caller-ID reports' agent rollup serves them."""
    return bool(req.agent_ids) and req.campaign_id is None and req.team_id is None


# docs/api-reference.md §3, abandon-rate: breached = the unrounded rate above the limit; one rule for
# the live figure and the snapshots (over columns attempts_total, attempts_abandoned, limit_pct).
BREACHED = "attempts_abandoned * 100.0 > limit_pct * attempts_total"

# The campaign as it stands (live.live_campaigns) with its answered and abandoned calls of the window
# (`attempts`: one row, attempts_total and attempts_abandoned) and the breach rule.
ABANDON_CURRENT = f"""
select
    campaign_id,
    campaign_name,
    campaign_status,
    limit_pct,
    attempts_total,
    attempts_abandoned,
    {BREACHED} as breached
from (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_status,
        campaigns.abandon_limit_pct as limit_pct,
        attempts.attempts_total,
        attempts.attempts_abandoned
    from live.live_campaigns as campaigns
    cross join ({{attempts}}) as attempts
    where campaigns.tenant_id = %(tenant_id)s and campaigns.campaign_id = %(campaign_id)s
) as measured
"""

# Before the first build: raw alone, as it stands (live.live_calls, classified in dbt).
RAW_ABANDON_ATTEMPTS = """
select
    count(*) filter (where calls.is_answered) as attempts_total,
    count(*) filter (where calls.is_abandoned) as attempts_abandoned
from live.live_calls as calls
where calls.tenant_id = %(tenant_id)s and calls.campaign_id = %(campaign_id)s
    and calls.started_at >= %(window_from)s and calls.started_at < %(window_to)s
"""


def abandon_current(req: ReportRequest | None, params: dict) -> sql.Composable:
    """ABANDON_CURRENT over the marts: the campaign's answered and abandoned calls of the window `req`
    from its 15-minute rollup (whole slots; no agent is needed) and fct_calls (the partial slots at the
    edges), with the calls changed since the build swapped as they stand (calls_source): the same calls
    live.live_calls holds. Without `req` (no build published yet), from raw alone."""
    if req is None:
        attempts: sql.Composable = sql.SQL(RAW_ABANDON_ATTEMPTS)
    else:
        attempts = sql.SQL(
            "select coalesce(sum(answers), 0)::bigint as attempts_total,"
            " coalesce(sum(abandoned_calls), 0)::bigint as attempts_abandoned from ({source}) as calls"
        ).format(source=calls_source(req, params, bucketed=True))
    return sql.SQL(ABANDON_CURRENT).format(attempts=attempts)


ABANDON_BREACHES = """
select snapshot_at, window_from, window_to, attempts_total, attempts_abandoned, abandon_rate_pct, limit_pct
from ops.abandon_rate_snapshots
where tenant_id = %(tenant_id)s and campaign_id = %(campaign_id)s and is_breached
order by snapshot_at desc
limit 100
"""

# The scheduled job (docs/api-reference.md §3): every active campaign of one tenant, the 43,200 minutes
# before the snapshot time, at most one row per campaign per 5-minute slot (the primary key).
ABANDON_SNAPSHOT = f"""
with snapshot as (
    select
        %(snapshot_at)s::timestamptz as snapshot_at,
        date_bin(interval '5 minutes', %(snapshot_at)s::timestamptz, timestamptz '2000-01-01 00:00:00+00') as slot_at,
        %(snapshot_at)s::timestamptz - make_interval(mins => %(window_minutes)s) as window_from
),

measured as (
    select
        campaigns.tenant_id,
        campaigns.campaign_id,
        campaigns.abandon_limit_pct as limit_pct,
        count(calls.call_id) filter (where calls.is_answered) as attempts_total,
        count(calls.call_id) filter (where calls.is_abandoned) as attempts_abandoned
    from live.live_campaigns as campaigns
    cross join snapshot
    left join live.live_calls as calls
        on calls.tenant_id = campaigns.tenant_id
        and calls.campaign_id = campaigns.campaign_id
        and calls.started_at >= snapshot.window_from
        and calls.started_at < snapshot.snapshot_at
    where campaigns.tenant_id = %(tenant_id)s and campaigns.campaign_status = 'active'
    group by campaigns.tenant_id, campaigns.campaign_id, campaigns.abandon_limit_pct
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
    {BREACHED}
from measured
cross join snapshot
on conflict (tenant_id, campaign_id, slot_at) do nothing
returning tenant_id, campaign_id, slot_at, attempts_total, attempts_abandoned, abandon_rate_pct, limit_pct,
    is_breached
"""
