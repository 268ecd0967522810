"""attempts: contact and conversion by attempt number (docs/api-reference.md §6.3).

A dial's attempt number is a column of the call facts (fct_calls.attempt_number: its position among all
of the tenant's dials of the same lead, all time). Whole UTC days of the window come from the narrowest
daily attempt rollup that still has the filtered columns (tenant; campaign; agent x team; campaign x
agent x team), the partial days call by call from fct_calls; numbers from 10 up are one item, "10+".
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from ..rounding import pct_string, ratio_string
from . import live, queries
from .request import ReportRequest
from .window import DAY_SECONDS, decompose

MERGED_FROM = 10  # attempt numbers from 10 up are one item, "10+" (the rollups store them as 10)

ROLLUP_COLUMNS = sql.SQL("attempt, dials, answers, conversions, talk_sec")


def dial_columns(prefix: str = "") -> sql.Composable:
    """One dial's attempt measures, from fct_calls or the live view (`prefix`: the relation's alias)."""
    return sql.SQL(
        f"least({prefix}attempt_number, {{merged}}) as attempt, 1 as dials, {prefix}is_answered::int as answers, "
        f"{prefix}is_conversion::int as conversions, {prefix}talk_sec"
    ).format(merged=sql.Literal(MERGED_FROM))


FCT_COLUMNS = dial_columns()
LIVE_COLUMNS = dial_columns("calls.")
LIVE_WINDOW = sql.SQL("calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s")


def live_parts(req: ReportRequest) -> list[sql.Composable]:
    """The touched leads' dials as built, negated, and as they stand now (module docstring). The window
    and the filters apply after the numbering: a lead's dials outside them still count for its numbers."""
    filters = queries.call_filters(req, "calls")
    built = sql.SQL(
        "select attempt, -dials as dials, -answers as answers, -conversions as conversions, -talk_sec as talk_sec"
        " from (select {columns} from marts.fct_calls as calls where calls.tenant_id = %(tenant_id)s"
        " and calls.lead_id = {leads} and calls.is_dial and calls.attempt_number is not null"
        " and {window} {filters}) as built"
    ).format(columns=LIVE_COLUMNS, leads=live.leads_with_changed_calls(), window=LIVE_WINDOW, filters=filters)
    now = sql.SQL(
        "select {columns} from (select * from intermediate.int_calls__attempt_numbered as numbered"
        " where numbered.tenant_id = %(tenant_id)s and numbered.lead_id = {leads}) as calls"
        " where {window} {filters}"
    ).format(columns=LIVE_COLUMNS, leads=live.leads_with_changed_calls(), window=LIVE_WINDOW, filters=filters)
    return [built, now]


def day_table(req: ReportRequest) -> str:
    """The narrowest daily rollup that still has the filtered columns."""
    by_agent = queries.has_agent_filter(req)
    if req.campaign_id is None:
        return "agg_attempts_agent_team_daily" if by_agent else "agg_attempts_tenant_daily"
    return "agg_attempts_campaign_agent_team_daily" if by_agent else "agg_attempts_campaign_daily"


def query(req: ReportRequest, params: dict) -> sql.Composable:
    pieces = decompose(req.window_start, req.window_end, None, slot_seconds=DAY_SECONDS)
    table = day_table(req)
    parts = []
    for filters in queries.filter_arms(req):
        parts += [
            queries._piece(params, table, "day_start", lower, upper, ROLLUP_COLUMNS, filters)
            for lower, upper in pieces.slots
        ]
        parts += [
            queries._piece(
                params, "fct_calls", "started_at", lower, upper, FCT_COLUMNS,
                sql.SQL("and is_dial and attempt_number is not null {filters}").format(filters=filters),
            )
            for lower, upper in pieces.edges
        ]  # fmt: skip
    parts += live_parts(req)
    return sql.SQL(
        """
        select
            attempt,
            sum(dials)::bigint as dials,
            sum(answers)::bigint as answers,
            sum(conversions)::bigint as conversions,
            sum(talk_sec)::bigint as talk_sec
        from ({source}) as by_attempt
        group by attempt
        having sum(dials) > 0
        order by attempt
        """
    ).format(source=sql.SQL(" union all ").join(parts))


def attempts(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    params = queries.base_params(req) | live.live_params(conn, req.tenant_id, leads=True)
    rows = conn.execute(query(req, params), params).fetchall()
    return [
        {
            "attempt": f"{MERGED_FROM}+" if r["attempt"] >= MERGED_FROM else str(r["attempt"]),
            "dials": r["dials"],
            "answers": r["answers"],
            "answer_rate_pct": pct_string(r["answers"], r["dials"]),
            "conversions": r["conversions"],
            # docs/api-reference.md §6.3, Decision: per dial, the yield of one more attempt.
            "conversion_rate_pct": pct_string(r["conversions"], r["dials"]),
            "avg_talk_time_sec": ratio_string(r["talk_sec"], r["answers"], 1),
        }
        for r in rows
    ]
