"""Each report: run its query over the marts and shape the rows into the contract's fields.

Ratios are computed here from exact integer sums (rounding.py), never from floats in SQL.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import psycopg

from ..rounding import pct_number, pct_string, ratio_int, ratio_string
from ..settings import get_settings
from ..timestamps import iso_utc, utc_text
from . import live, queries
from .request import ReportRequest

UNKNOWN_DISPOSITION_COLOR = "#9CA3AF"
FUNNEL_STAGES = (
    ("Total leads", "total_leads"),
    ("Dialed", "dialed"),
    ("Connected", "connected"),
    ("Talked > 30s", "talked"),
    ("Disposed", "disposed"),
    ("Converted", "converted"),
)


def _params(conn: psycopg.Connection, req: ReportRequest, leads: bool = False, **extra) -> dict:
    """The bound values of a report query: the request's, and the rows changed since the build (live.py;
    with `leads`, the leads they touch too)."""
    return queries.base_params(req) | live.live_params(conn, req.tenant_id, leads) | extra


def _run(conn: psycopg.Connection, build, req: ReportRequest, **extra):
    """Build a report query (which binds its own range parameters) and execute it."""
    params = _params(conn, req, **extra)
    query = build(req, params)
    return conn.execute(query, params)


_THRESHOLD_CACHE: dict[str, tuple[float, int | None]] = {}


def _rollup_threshold(conn: psycopg.Connection) -> int | None:
    """The short-call threshold the caller-ID rollups were built with (None: empty), cached 5 minutes.

    When it differs from the API's setting, caller-id-health reads fct_calls instead (exact, slower).
    """
    cached = _THRESHOLD_CACHE.get("value")
    if cached and time.monotonic() - cached[0] < 300:
        return cached[1]
    rows = conn.execute(queries.CALLER_THRESHOLDS).fetchall()
    values = {r["short_call_threshold_sec"] for r in rows}
    value = values.pop() if len(values) == 1 else (None if not values else -1)
    _THRESHOLD_CACHE["value"] = (time.monotonic(), value)
    return value


def dashboard(conn: psycopg.Connection, req: ReportRequest) -> dict:
    row = _run(conn, queries.dashboard, req).fetchone()
    dials, answers, talk = row["dials"], row["answers"], row["talk_sec"]
    return {
        "total_dials": dials,
        "total_answers": answers,
        "answer_rate_pct": pct_string(answers, dials),
        "avg_talk_time_sec": ratio_string(talk, answers, 1),
        "total_talk_time_sec": str(talk),
        "unique_agents": row["unique_agents"],
        "pdpl_blocked_count": row["pdpl_blocked_calls"],
        # docs/api-reference.md §3, Decision: the seed promises AHT and conversion on the dashboard.
        "total_conversions": row["conversions"],
        "conversion_rate_pct": pct_string(row["conversions"], answers),
        "avg_aht_sec": ratio_int(row["handle_sec"], answers),
    }


def agent_performance(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    rows = _run(conn, queries.agent_performance, req).fetchall()
    return [
        {
            "agent_id": r["agent_id"],
            "name": r["agent_name"] if r["agent_name"] is not None else "(unknown)",
            "username": r["username"] if r["username"] is not None else "",
            "dials": r["dials"],
            "answers": r["answers"],
            "avg_aht_sec": ratio_int(r["handle_sec"], r["answers"]),
            "conversions": r["conversions"],
            "conv_rate": pct_number(r["conversions"], r["answers"], 2),
        }
        for r in rows
    ]


def hour_dow_heatmap(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    queries.use_local_time(conn, req.timezone)
    rows = _run(conn, queries.heatmap, req).fetchall()
    cells = {(r["day_of_week"], r["hour"]): r for r in rows}
    data = []
    for day in range(7):
        for hour in range(24):
            cell = cells.get((day, hour))
            dials = cell["dials"] if cell else 0
            answered = cell["answers"] if cell else 0
            data.append(
                {
                    "day_of_week": day,
                    "hour": hour,
                    "dials": dials,
                    "answered": answered,
                    "answer_rate_pct": pct_number(answered, dials, 1),
                }
            )
    return data


def time_series(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    queries.use_local_time(conn, req.timezone)
    rows = _run(conn, queries.time_series, req, bucket_format=queries.BUCKET_FORMATS[req.group_by]).fetchall()
    rows.sort(key=lambda r: r["bucket"])  # ascending; the labels are ASCII, so code point order
    return [
        {
            "bucket": r["bucket"],
            "dials": r["dials"],
            "answers": r["answers"],
            "talk_sec": r["talk_sec"],
            "conversions": r["conversions"],
        }
        for r in rows
    ]


def disposition_breakdown(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    rows = _run(conn, queries.disposition_breakdown, req).fetchall()
    total = sum(r["count"] for r in rows)
    return [
        {
            "code": r["code"],
            # docs/api-reference.md §3, Decision: a code the tenant does not define.
            "label": r["label"] if r["label"] is not None else r["code"],
            "category": r["category"],
            "color": r["color"] if r["color"] is not None else UNKNOWN_DISPOSITION_COLOR,
            "count": r["count"],
            "pct": pct_string(r["count"], total),
        }
        for r in rows
    ]


def _pct_limit(value: float) -> tuple[int, int]:
    """A percentage setting as the exact ratio of its decimal text (10.5 -> (21, 2))."""
    return Fraction(str(value)).as_integer_ratio()


@functools.lru_cache(maxsize=8)
def _health_levels(
    block: tuple[float, float, float], warning: tuple[float, float, float]
) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    """The alarm levels in the order the rule tries them, each with its (ASR, rejected, short) limits as
    exact integer ratios."""
    return (
        ("suspected_block", tuple(_pct_limit(v) for v in block)),
        ("warning", tuple(_pct_limit(v) for v in warning)),
    )


def health_status(total: int, answered: int, short: int, rejected: int) -> str:
    """docs/api-reference.md §3, caller-id-health: first matching rule, on the unrounded ratios, compared
    exactly in integers (count x 100 / total against the limit's ratio; a zero total is a 0 % ratio)."""
    s = get_settings()
    if total < s.health_min_calls:
        return "no_data"
    levels = _health_levels(
        (s.health_block_asr_pct, s.health_block_rejected_pct, s.health_block_short_pct),
        (s.health_warning_asr_pct, s.health_warning_rejected_pct, s.health_warning_short_pct),
    )
    base, answered, rejected, short = total or 1, answered * 100, rejected * 100, short * 100
    for status, ((asr_n, asr_d), (rejected_n, rejected_d), (short_n, short_d)) in levels:
        # ASR below its limit, or the rejected or short share at or above its limit
        if (
            answered * asr_d < asr_n * base
            or rejected * rejected_d >= rejected_n * base
            or short * short_d >= short_n * base
        ):
            return status
    return "healthy"


def _iso_or_null(moment: datetime | None) -> str | None:
    return None if moment is None else iso_utc(moment)


def caller_id_measures(conn: psycopg.Connection, req: ReportRequest, with_today: bool = True) -> list[dict]:
    """Every caller ID of the pool with its window measures (caller-id-health and carrier-health)."""
    threshold = get_settings().short_call_threshold_sec
    params = _params(conn, req, short_call_sec=threshold)
    rollup_ok = _rollup_threshold(conn) in (None, threshold)
    today = None
    if with_today:  # health_calls_today: today's local midnight to midnight
        queries.use_local_time(conn, req.timezone)
        row = conn.execute(queries.LOCAL_TODAY).fetchone()
        today = (row["day_start"], row["day_end"])
    query = queries.caller_id_health(req, params, rollup_threshold_ok=rollup_ok, today=today)
    return conn.execute(query, params).fetchall()


def caller_id_health(conn: psycopg.Connection, req: ReportRequest, today: dict[str, int] | None = None) -> list[dict]:
    """`today` (cid -> health_calls_today) skips the live count: a comparison reuses its window's."""
    data = []
    for r in caller_id_measures(conn, req, with_today=today is None):
        total, answered = r["total_calls"], r["answered_calls"]
        short, rejected = r["short_calls"], r["rejected_calls"]
        data.append(
            {
                "cid": r["cid"],
                "display_name": r["display_name"],
                "carrier": r["carrier"],
                "cli_type": r["cli_type"],
                "pool_status": r["pool_status"],
                "cooldown_until": _iso_or_null(r["cooldown_until"]),
                "daily_cap": r["daily_cap"],
                "total_calls": total,
                "answered_calls": answered,
                "asr_pct": pct_number(answered, total, 1),
                "acd_sec": ratio_int(r["talk_sec"], answered),
                "short_calls": short,
                "short_call_ratio_pct": pct_number(short, total, 1),
                "rejected_calls": rejected,
                "health_status": health_status(total, answered, short, rejected),
                "health_calls_today": r["calls_today"] if today is None else today.get(r["cid"], 0),
            }
        )
    return data


def caller_id_health_previous(conn: psycopg.Connection, req: ReportRequest, current: list[dict]) -> list[dict]:
    """caller-id-health over a comparison window: health_calls_today counts today whatever the window,
    so the comparison shows the count its current window read live (one live query, not two)."""
    return caller_id_health(conn, req, today={r["cid"]: r["health_calls_today"] for r in current})


def _lead_stage_rows(conn: psycopg.Connection, reqs: list[ReportRequest]) -> list[list[dict]]:
    """The funnel's stage counts per lead source of each window of `reqs` (the same tenant and filters),
    in order, from one statement (queries.lead_stages)."""
    req = reqs[0]
    params = _params(conn, req, leads=True, campaign_filter=req.campaign_id is not None)
    rows = conn.execute(queries.lead_stages(conn, reqs, params), params).fetchall()
    return [[r for r in rows if r["win"] == index] for index in range(len(reqs))]


def _funnel_items(rows: list[dict]) -> list[dict]:
    return [{"stage": stage, "count": sum(r[key] for r in rows)} for stage, key in FUNNEL_STAGES]


def _source_items(rows: list[dict]) -> list[dict]:
    return [
        {
            "source": r["lead_source"],
            "total_leads": r["total_leads"],
            "dialed_count": r["dialed"],
            "contacted_count": r["connected"],
            "conv_count": r["converted"],
            "conv_rate_pct": pct_string(r["converted"], r["total_leads"]),
        }
        for r in rows
    ]


def funnel(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    return _funnel_items(_lead_stage_rows(conn, [req])[0])


def lead_source_attribution(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    return _source_items(_lead_stage_rows(conn, [req])[0])


def _with_previous(items):
    """`compare` (docs/api-reference.md §6.2) of a lead report: both windows from one statement, the
    changed leads read and classified once (DECISIONLOG 106)."""

    def both(conn: psycopg.Connection, req: ReportRequest, earlier: ReportRequest) -> tuple[list, list]:
        current, previous = _lead_stage_rows(conn, [req, earlier])
        return items(current), items(previous)

    return both


funnel_with_previous = _with_previous(_funnel_items)
lead_source_attribution_with_previous = _with_previous(_source_items)


def _number(value: Decimal) -> float | int:
    """A numeric limit as a JSON number: 3 stays 3, 2.50 becomes 2.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def abandon_rate(conn: psycopg.Connection, req: ReportRequest, now: datetime | None = None) -> dict:
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    window_from = now - timedelta(minutes=req.window_minutes)
    params = {
        "tenant_id": req.tenant_id,
        "campaign_id": req.campaign_id,
        "window_from": window_from,
        "window_to": now,
    }
    window = replace(req, window_start=window_from, window_end=now, team_id=None, agent_ids=())
    params |= _params(conn, window)
    # the campaign's calls as the marts hold them plus the rows changed since the build (raw alone
    # while no build is published)
    measured = window if params["live_since"] is not None else None
    row = conn.execute(queries.abandon_current(measured, params), params).fetchone()
    total, abandoned = row["attempts_total"], row["attempts_abandoned"]
    limit = Decimal(row["limit_pct"])
    breaches = conn.execute(queries.ABANDON_BREACHES, params).fetchall()
    return {
        "current": {
            "campaign_id": row["campaign_id"],
            "attempts_total": total,
            "attempts_abandoned": abandoned,
            "abandon_rate_pct": pct_number(abandoned, total, 2),
            "window_minutes": req.window_minutes,
            "window_from": utc_text(window_from),
            "window_to": utc_text(now),
            "tenant_id": req.tenant_id,
            "campaign_name": row["campaign_name"],
            "campaign_status": row["campaign_status"],
            "limit_pct": _number(limit),
            "breached": row["breached"],
        },
        "breaches": [
            {
                "snapshot_at": utc_text(b["snapshot_at"]),
                "window_from": utc_text(b["window_from"]),
                "window_to": utc_text(b["window_to"]),
                "attempts_total": b["attempts_total"],
                "attempts_abandoned": b["attempts_abandoned"],
                "abandon_rate_pct": float(b["abandon_rate_pct"]),
                "limit_pct": _number(Decimal(b["limit_pct"])),
            }
            for b in breaches
        ],
    }
