"""attempts: contact and conversion by attempt number (docs/api-reference.md §6.3).

A dial's attempt number is a column of the call facts (fct_calls.attempt_number: its position among all
of the tenant's dials of the same lead, all time). Whole UTC days of the window come from the narrowest
daily attempt rollup that still has the filtered columns (tenant; campaign; agent x team; campaign x
agent x team), the partial days call by call from fct_calls; numbers from 10 up are one item, "10+".

Live answers (docs/api-reference.md §6.1; DECISIONLOG 81): a call changed since the build can move the
numbers of its lead's other dials, but only of those at or after the first place, in (started_at, id)
order, where the lead's dials as built and as they stand differ: a dial that came (new, from another
lead, moved in time, no longer blocked) or left (to another lead or none, moved in time, blocked). That
place is the lead's tail: its dials as built from there are negated, and its dials now from there (its
unchanged built dials and its changed dials as they stand) are added, numbered on from the number of its
built dials before the tail, in the order of macros/attempt_numbers.sql. A changed dial before its
lead's tail (or of a lead without one) keeps its built number: negated as built, added as it stands.
Only the changed calls and the tails are read, never a lead's whole history; and of a tail only its
built dials numbered up to `last_moving` = 9 + the lead's changed built dials (DECISIONLOG 86), with
its changed built dials past that. An unchanged built dial numbered higher stands in "10+" both as
built and now (at most that many dials before it can have left), so removing and adding it changes
nothing; a dial now placed after it is numbered 10 or more either way, since at least 9 - (the dials
before the tail) unchanged built dials precede it in the tail.
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


# The columns of a dial the report reads (measures and filters), alike in fct_calls and the live view.
DIAL_COLUMNS = (
    "call_id",
    "lead_id",
    "started_at",
    "campaign_id",
    "agent_id",
    "team_id",
    "is_answered",
    "is_conversion",
    "talk_sec",
)


def _dial(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in DIAL_COLUMNS)


# The changed dials' places among their leads' dials (module docstring), once per query:
# changed_built: the changed calls as built that were dials with a number; changed_now: the changed calls
# that are dials with a lead now, with their built number when they keep their lead and started_at;
# tails: per lead, the first place (started_at, id) where its dials as built and now differ, the number
# of its built dials before it, and `last_moving`, the highest built number whose item may change (module
# docstring); tail_built: its built dials from there on up to that number, and its changed built dials
# past it; kept: the changed dials before a tail (their numbers stay).
LIVE_PLACES = sql.SQL(
    f"""
    with changed_built as materialized (
        select built.call_id, built.lead_id, built.started_at, built.attempt_number
        from marts.fct_calls as built
        where built.tenant_id = %(tenant_id)s and built.call_id = any(%(live_call_ids)s)
            and built.is_dial and built.attempt_number is not null
    ),
    changed_now as materialized (
        select {_dial("dial")}, built.attempt_number as built_number
        from {{live_dials}} as dial
        left join changed_built as built
            on built.call_id = dial.call_id and built.lead_id = dial.lead_id and built.started_at = dial.started_at
        where dial.tenant_id = %(tenant_id)s and dial.call_id = any(%(live_call_ids)s)
    ),
    tail_starts as materialized (
        select distinct on (moved.lead_id) moved.lead_id, moved.started_at, moved.call_id
        from (
            -- a built dial that left its lead, moved in time or stopped being a dial
            select built.lead_id, built.started_at, built.call_id from changed_built as built
            where not exists (
                select from changed_now as dial where dial.call_id = built.call_id and dial.built_number is not null
            )
            union all
            -- a dial that came: new, from another lead, moved in time or now a dial
            select dial.lead_id, dial.started_at, dial.call_id from changed_now as dial
            where dial.built_number is null
        ) as moved
        order by moved.lead_id, moved.started_at, moved.call_id
    ),
    tails as materialized (
        select tail_starts.lead_id, tail_starts.started_at, tail_starts.call_id,
            coalesce(before.attempt_number, 0) as prefix_dials,
            {{merged}} - 1 + coalesce(changed_of_lead.dials, 0) as last_moving
        from tail_starts
        left join (
            select changed_built.lead_id, count(*) as dials from changed_built group by changed_built.lead_id
        ) as changed_of_lead on changed_of_lead.lead_id = tail_starts.lead_id
        left join lateral (
            -- the lead's last built dial before the tail (fct_calls' index on tenant, lead and started_at)
            select built.attempt_number from marts.fct_calls as built
            where built.tenant_id = %(tenant_id)s and built.lead_id = tail_starts.lead_id
                and (built.started_at, built.call_id) < (tail_starts.started_at, tail_starts.call_id)
                and built.is_dial and built.attempt_number is not null
            order by built.started_at desc, built.call_id desc
            limit 1
        ) as before on true
    ),
    tail_built as materialized (
        -- the tail's built dials up to number last_moving (the first ones from the tail on: a lead's
        -- numbers are consecutive in this order) ...
        select {_dial("built")}, built.attempt_number, tails.prefix_dials
        from tails
        cross join lateral (
            select of_lead.* from marts.fct_calls as of_lead
            where of_lead.tenant_id = %(tenant_id)s and of_lead.lead_id = tails.lead_id
                and (of_lead.started_at, of_lead.call_id) >= (tails.started_at, tails.call_id)
                and of_lead.is_dial and of_lead.attempt_number is not null
            order by of_lead.started_at, of_lead.call_id
            limit greatest(tails.last_moving - tails.prefix_dials, 0)
        ) as built
        union all
        -- ... and its changed built dials past that number
        select {_dial("built")}, built.attempt_number, tails.prefix_dials
        from tails
        inner join changed_built as moved
            on moved.lead_id = tails.lead_id and moved.attempt_number > tails.last_moving
                and (moved.started_at, moved.call_id) >= (tails.started_at, tails.call_id)
        inner join marts.fct_calls as built on built.tenant_id = %(tenant_id)s and built.call_id = moved.call_id
    ),
    kept as materialized (
        -- the changed dials that keep their place: before their lead's tail, or of a lead without one
        select dial.* from changed_now as dial
        left join tails on tails.lead_id = dial.lead_id
        where dial.built_number is not null
            and (tails.lead_id is null or (dial.started_at, dial.call_id) < (tails.started_at, tails.call_id))
    )
    """
).format(live_dials=sql.SQL("intermediate.int_calls__attempts"), merged=sql.Literal(MERGED_FROM))


def live_parts(req: ReportRequest, window: sql.Composable, tag: sql.Composable) -> list[sql.Composable]:
    """The changed dials' contributions (module docstring), over LIVE_PLACES: each lead's tail as built,
    negated, and as it stands now (its unchanged built dials and its changed dials now, numbered on from
    the dials before it); the changed dials before a tail (or of a lead without one) as built, negated,
    and now, at their built number. The window (`window`, on `calls.started_at`) and the filters apply
    after the numbering: a lead's dials outside them still count for its numbers. `tag` names the window
    in the rows (`win`)."""
    filters = queries.call_filters(req, "calls")

    def negated(source: str) -> sql.Composable:
        return sql.SQL(
            "select {tag} as win, attempt, -dials as dials, -answers as answers, -conversions as conversions,"
            " -talk_sec as talk_sec from (select {columns} from ({source}) as calls where {window} {filters}) as built"
        ).format(tag=tag, columns=LIVE_COLUMNS, source=sql.SQL(source), window=window, filters=filters)

    def now(source: str) -> sql.Composable:
        return sql.SQL("select {tag} as win, {columns} from ({source}) as calls where {window} {filters}").format(
            tag=tag, columns=LIVE_COLUMNS, source=sql.SQL(source), window=window, filters=filters
        )

    tail_now = (
        f"select tail.*, tail.prefix_dials + row_number() over (partition by tail.lead_id"
        f" order by tail.started_at, tail.call_id) as attempt_number from ("
        f"select {_dial('unchanged')}, unchanged.prefix_dials from tail_built as unchanged"
        f" where not exists (select from changed_built where changed_built.call_id = unchanged.call_id)"
        f" union all select {_dial('dial')}, tails.prefix_dials from changed_now as dial"
        f" inner join tails on tails.lead_id = dial.lead_id"
        f" and (dial.started_at, dial.call_id) >= (tails.started_at, tails.call_id)) as tail"
    )
    kept_built = (
        "select built.* from marts.fct_calls as built inner join kept on kept.call_id = built.call_id"
        " where built.tenant_id = %(tenant_id)s and built.call_id = any(%(live_call_ids)s)"
    )
    kept_now = "select kept.*, kept.built_number as attempt_number from kept"
    return [negated("select * from tail_built"), now(tail_now), negated(kept_built), now(kept_now)]


def day_table(req: ReportRequest) -> str:
    """The narrowest daily rollup that still has the filtered columns."""
    by_agent = queries.has_agent_filter(req)
    if req.campaign_id is None:
        return "agg_attempts_agent_team_daily" if by_agent else "agg_attempts_tenant_daily"
    return "agg_attempts_campaign_agent_team_daily" if by_agent else "agg_attempts_campaign_daily"


def query(reqs: list[ReportRequest], params: dict) -> sql.Composable:
    """One statement for one or more windows of the same filters (a request and its `compare` window):
    the changed dials' places (LIVE_PLACES, the costly part of a live answer) are worked out once, and
    every row carries its window's index, `win`."""
    parts = []
    for index, req in enumerate(reqs):
        tag = sql.Literal(index)
        window_from, window_to = queries._range(params, req.window_start, req.window_end)
        live_window = sql.SQL("calls.started_at >= {low} and calls.started_at < {high}").format(
            low=window_from, high=window_to
        )
        pieces = decompose(req.window_start, req.window_end, None, slot_seconds=DAY_SECONDS)
        table = day_table(req)
        rollup_columns = sql.SQL("{tag} as win, {columns}").format(tag=tag, columns=ROLLUP_COLUMNS)
        fct_columns = sql.SQL("{tag} as win, {columns}").format(tag=tag, columns=FCT_COLUMNS)
        for filters in queries.filter_arms(req):
            parts += [
                queries._piece(params, table, "day_start", lower, upper, rollup_columns, filters)
                for lower, upper in pieces.slots
            ]
            parts += [
                queries._piece(
                    params, "fct_calls", "started_at", lower, upper, fct_columns,
                    sql.SQL("and is_dial and attempt_number is not null {filters}").format(filters=filters),
                )
                for lower, upper in pieces.edges
            ]  # fmt: skip
        parts += live_parts(req, live_window, tag)
    return sql.SQL(
        """
        {places}
        select
            win,
            attempt,
            sum(dials)::bigint as dials,
            sum(answers)::bigint as answers,
            sum(conversions)::bigint as conversions,
            sum(talk_sec)::bigint as talk_sec
        from ({source}) as by_attempt
        group by win, attempt
        having sum(dials) > 0
        order by win, attempt
        """
    ).format(places=LIVE_PLACES, source=sql.SQL(" union all ").join(parts))


def attempts(conn: psycopg.Connection, req: ReportRequest) -> list[dict]:
    return attempts_over(conn, [req])[0]


def attempts_with_previous(
    conn: psycopg.Connection, req: ReportRequest, earlier: ReportRequest
) -> tuple[list[dict], list[dict]]:
    """`compare` (docs/api-reference.md §6.2): the window's and the comparison window's items from one
    statement, the changed dials' places read once for both."""
    current, previous = attempts_over(conn, [req, earlier])
    return current, previous


def attempts_over(conn: psycopg.Connection, reqs: list[ReportRequest]) -> list[list[dict]]:
    """The items of each window of `reqs` (the same tenant and filters), in order."""
    params = queries.base_params(reqs[0]) | live.live_params(conn, reqs[0].tenant_id)
    rows = conn.execute(query(reqs, params), params).fetchall()
    return [_items([r for r in rows if r["win"] == index]) for index in range(len(reqs))]


def _items(rows: list[dict]) -> list[dict]:
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
