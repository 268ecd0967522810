"""Live answers (docs/api-reference.md §6.1): the marts plus the rows changed since the published build.

The marts hold what the last published build read from raw; its cutoff is in ops.warehouse_builds.
Every call (lead) with updated_at at or after `live_since` (the cutoff minus the replication
allowance) may differ from its fact row, so each report adds, for exactly those rows,

    - the contribution of the row as it was built (read from marts.fct_calls / fct_leads), negated, and
    + the contribution of the row as it stands now (read through the dbt staging/intermediate views,
      so the classification is the warehouse's own, never re-typed here),

each in the window and bucket of its own started_at (created_at). A row that did not change since the
build adds and removes the same contribution; any superset of the changed rows therefore gives the
same, exact answer, which is why an older cutoff (or a generous allowance) is always safe. Rows the
published marts hold as they stand are therefore left out (DECISIONLOG 98): a call (lead) updated
before the build was published whose fact row carries the same updated_at was read by the build as it
is now (replication stamps every change), so both parts would cancel; a build every few minutes then
leaves only the rows changed since it, not the whole allowance, to fold in. Lead
stages are not additive per call, so the funnel swaps whole leads: every lead that changed, or had a
call added, removed or changed, is removed as built and added as it is now. Without an agent filter
most of those leads need not be read call by call (lead_stage_gains): when the lead has a built row
(without calls in another campaign, under a campaign filter) and its creation, campaign and source are
unchanged, and no changed call was one that put it in a stage as built (the first qualifying call at
or after its creation, or, for a lead called before its creation, the last such call before it; under
a team filter, those of the team's calls), its unchanged calls still reach every stage at the built
columns, so it reached a stage now exactly when it did as built or one of its changed calls, as it
stands now, reaches it in the window. Under an agent filter the
stages are grouped from the cohort's calls anyway, so they are grouped as they stand (agent_lead_ctes):
only a lead whose own row changed, or that has no built row, is read whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from ..db.id_arrays import IdArray
from ..settings import get_settings

LIVE_CALLS = sql.SQL("intermediate.int_calls__classified")
LIVE_LEADS = sql.SQL("staging.stg_raw__leads")

PUBLISHED_BUILD = "select cutoff_at, published_at from ops.warehouse_builds order by build_id desc limit 1"


def published_build(conn: psycopg.Connection) -> tuple[datetime, datetime] | None:
    """(live_since, published_at) of the published build: the updated_at from which rows may be newer
    than the marts, and when they were published (None: no build recorded, no delta)."""
    row = conn.execute(PUBLISHED_BUILD).fetchone()
    if row is None:
        return None
    return row["cutoff_at"] - timedelta(seconds=get_settings().live_allowance_sec), row["published_at"]


# The rows changed since the published build, read once per request in one statement (index probes on
# updated_at; with the leads, the changed calls' built leads probed by call id), their ids returned as
# arrays: the report queries then take them as arrays (IdArray), so the planner knows how few they are
# and probes the facts and the raw rows by key instead of hashing a whole window against an estimated
# set. (Rows of ids fetched one by one and turned into sets in Python took 5–16 ms of a request.)
CHANGED_CALL_IDS = "coalesce(array_agg(changed.call_id order by changed.call_id), '{}') as call_ids"


# A row updated before the publish is probed (by key) for a fact row with its updated_at: the build read
# it as it is now, and it is left out; a row updated since cannot be in the marts as it is.
def _not_built_as_is(alias: str, facts: str, key: str) -> str:
    return (
        f" and ({alias}.updated_at >= %(live_published_at)s or not exists (select from marts.{facts} as as_built"
        f" where as_built.tenant_id = %(tenant_id)s and as_built.{key} = {alias}.{key}"
        f" and as_built.updated_at = {alias}.updated_at))"
    )


CHANGED_CALL_ROWS = (
    " from staging.stg_raw__calls as changed"
    " where changed.tenant_id = %(tenant_id)s and changed.updated_at >= %(live_since)s"
    + _not_built_as_is("changed", "fct_calls", "call_id")
)
CHANGED_CALLS = sql.SQL("select " + CHANGED_CALL_IDS + CHANGED_CALL_ROWS)
CHANGED_CALLS_AND_LEADS = sql.SQL(
    """
    select changed_calls.call_ids,
        array(
            select now_lead.lead_id from unnest(changed_calls.lead_ids) as now_lead (lead_id)
            union
            select built.lead_id from marts.fct_calls as built
            where built.tenant_id = %(tenant_id)s and built.call_id = any(changed_calls.call_ids)
                and built.lead_id is not null
            order by 1
        ) as call_lead_ids,
        array(
            select changed_leads.lead_id from {leads} as changed_leads
            where changed_leads.tenant_id = %(tenant_id)s and changed_leads.updated_at >= %(live_since)s
                {leads_not_built_as_is}
            order by 1
        ) as changed_lead_ids
    from ({calls}) as changed_calls
    """
).format(
    leads=LIVE_LEADS,
    leads_not_built_as_is=sql.SQL(_not_built_as_is("changed_leads", "fct_leads", "lead_id")),
    # the calls' current leads (the union above removes repeats)
    calls=sql.SQL(
        "select " + CHANGED_CALL_IDS + ", array_agg(changed.lead_id) filter (where changed.lead_id is not null)"
        " as lead_ids" + CHANGED_CALL_ROWS
    ),
)


def live_params(conn: psycopg.Connection, tenant_id: int, leads: bool = False) -> dict:
    """On the API's connection (rows as dicts): the bound values of the live delta: `live_since`,
    `live_call_ids` (the tenant's calls changed since the published build) and, with `leads`,
    `live_call_lead_ids` (the leads, before and after, of those calls: the leads whose calls changed),
    `live_changed_lead_ids` (the leads whose own row changed since) and `live_lead_ids` (every lead
    whose contribution to a lead report may differ from the build: both). Each is an IdArray (bound as
    one `bigint[]` literal)."""
    build = published_build(conn)
    since, published_at = (None, None) if build is None else build
    params: dict = {
        "tenant_id": tenant_id,
        "live_since": since,
        "live_published_at": published_at,
        "live_call_ids": IdArray(),
        "live_call_lead_ids": IdArray(),
        "live_lead_ids": IdArray(),
        "live_changed_lead_ids": IdArray(),
    }
    if since is None:
        return params
    row = conn.execute(CHANGED_CALLS_AND_LEADS if leads else CHANGED_CALLS, params).fetchone()
    params["live_call_ids"] = IdArray(row["call_ids"])
    if leads:
        call_leads, changed_leads = row["call_lead_ids"], row["changed_lead_ids"]
        params["live_call_lead_ids"] = IdArray(call_leads)
        params["live_changed_lead_ids"] = IdArray(changed_leads)
        params["live_lead_ids"] = IdArray(sorted(set(call_leads).union(changed_leads)))
    return params


# The columns of a changed call a report may filter on (call_filters): its CTE (changed_calls) carries them.
FILTER_COLUMNS = ("campaign_id", "agent_id", "team_id")


def _changed_rows(relation: sql.Composable, columns: sql.Composable, where: sql.Composable) -> sql.Composable:
    """The rows of `relation` (alias `calls`) of the calls changed since the build (`live_call_ids`)."""
    return sql.SQL(
        "select {columns} from {relation} as calls where calls.tenant_id = %(tenant_id)s"
        " and calls.call_id = any(%(live_call_ids)s) {where}"
    ).format(columns=columns, relation=relation, where=where)


def changed_calls(columns: Sequence[str], where: sql.Composable) -> sql.Composable:
    """The body of a materialized CTE of the calls changed since the build, each twice: as built
    (marts.fct_calls, `sign` -1) and as it stands (the live view, `sign` +1), with `started_at`, the
    filter columns and `columns` (alike in both); `where` restricts both sides (alias `calls`). A report
    that adds the delta over two windows (call_delta with `source`) reads the changed calls once."""
    names = sql.SQL(", ").join(
        sql.SQL("calls.{}").format(sql.Identifier(c)) for c in ("started_at", *FILTER_COLUMNS, *columns)
    )
    built, now = (
        _changed_rows(relation, sql.SQL("{sign} as sign, {names}").format(sign=sql.SQL(sign), names=names), where)
        for relation, sign in ((sql.SQL("marts.fct_calls"), "-1"), (LIVE_CALLS, "1"))
    )
    return sql.SQL("{built} union all {now}").format(built=built, now=now)


def call_delta(
    keys: Sequence[str],
    measures: Sequence[tuple[str, str]],
    where: sql.Composable,
    filters_for,
    bounds: tuple[str, str] = ("window_start", "window_end"),
    source: str | None = None,
) -> list[sql.Composable]:
    """The parts a report adds for the calls changed since the build, as (keys..., measures...): the
    built rows negated and the current rows. `measures` are (name, expression over the call columns of
    fct_calls / the live view); `where` restricts rows (e.g. dials only); `filters_for(alias)` gives the
    request's filters on that alias. Both cover the request's whole window and read the same calls,
    `live_call_ids` (live_params); `bounds` name the parameters of another window. With `source`, the
    name of a changed_calls CTE holding the keys and the measures' columns, one part reads both sides
    from it (each measure times the row's sign)."""
    window = sql.SQL("calls.started_at >= {lower} and calls.started_at < {upper}").format(
        lower=sql.Placeholder(bounds[0]), upper=sql.Placeholder(bounds[1])
    )
    key_list = sql.SQL(", ").join(sql.SQL("calls.{}").format(sql.Identifier(k)) for k in keys)
    if source is not None:
        signed = sql.SQL(", ").join(
            [
                key_list,
                *(sql.SQL("calls.sign * (" + expr + ") as {}").format(sql.Identifier(n)) for n, expr in measures),
            ]
        )
        return [
            sql.SQL("select {signed} from {source} as calls where {window} {where} {filters}").format(
                signed=signed, source=sql.Identifier(source), window=window, where=where, filters=filters_for("calls")
            )
        ]
    columns = sql.SQL(", ").join(
        [key_list, *(sql.SQL(expr + " as {}").format(sql.Identifier(name)) for name, expr in measures)]
    )
    negated = sql.SQL(", ").join(
        [
            *(sql.Identifier(k) for k in keys),
            *(sql.SQL("-{name} as {name}").format(name=sql.Identifier(name)) for name, _ in measures),
        ]
    )
    now, built = (
        _changed_rows(
            relation,
            columns,
            sql.SQL("and {window} {where} {filters}").format(window=window, where=where, filters=filters_for("calls")),
        )
        for relation in (LIVE_CALLS, sql.SQL("marts.fct_calls"))
    )
    return [sql.SQL("select {negated} from ({built}) as built").format(negated=negated, built=built), now]


def changed_lead_ids() -> sql.Composable:
    """The leads of `live_lead_ids` (live_params), as a condition's right-hand side: `lead_id = any(...)`."""
    return sql.SQL("any(%(live_lead_ids)s)")


def lead_stages_now(
    stage_flags: sql.Composable,
    stages: Sequence[str],
    call_filters: sql.Composable,
    changed: sql.Composable | None = None,
) -> sql.Composable:
    """(lead_source, total_leads, stages...) of the changed leads (`changed`, a right-hand side of
    `lead_id = ...`; default changed_lead_ids) as they stand now, straight from the funnel's definition:
    a cohort lead (created in the window, in the campaign) reached a stage when one of its current calls
    in the window that pass every filter qualifies."""
    stage_counts = sql.SQL(", ").join(
        sql.SQL("count(*) filter (where per_lead.{s}) as {s}").format(s=sql.Identifier(s)) for s in stages
    )
    return sql.SQL(
        """
        select per_lead.lead_source, count(*) as total_leads, {stage_counts}
        from (
            select leads.lead_id, leads.lead_source, {stage_names}
            from {leads} as leads
            left join (
                -- the leads' current calls in the window that pass every filter, probed by lead
                select calls.lead_id, {stage_flags}
                from {live_calls} as calls
                where calls.tenant_id = %(tenant_id)s and calls.lead_id = {changed}
                    and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
                    {call_filters}
                group by calls.lead_id
            ) as lead_calls on lead_calls.lead_id = leads.lead_id
            where leads.tenant_id = %(tenant_id)s
                and leads.created_at >= %(window_start)s and leads.created_at < %(window_end)s
                and (%(campaign_id)s::bigint is null or leads.campaign_id = %(campaign_id)s)
                and leads.lead_id = {changed}
        ) as per_lead
        group by per_lead.lead_source
        """
    ).format(
        stage_counts=stage_counts,
        stage_flags=stage_flags,
        stage_names=sql.SQL(", ").join(sql.SQL("lead_calls.{s}").format(s=sql.Identifier(s)) for s in stages),
        leads=LIVE_LEADS,
        live_calls=LIVE_CALLS,
        call_filters=call_filters,
        changed=changed if changed is not None else changed_lead_ids(),
    )


def lead_stage_classes(
    milestones: dict[str, str], early: dict[str, str], call_flags: dict[str, str], team: bool = False
) -> sql.Composable:
    """The body of the CTE `live_leads`: every lead of `live_lead_ids` with its built stage columns and
    whether it must be swapped whole (`swap`): it has no built row, or it is the filter campaign's lead
    with calls in another campaign as built (`campaign_filter`: its columns count those calls, the
    filter does not; a lead of another campaign is in no cohort as built or, its row unchanged, now), or
    its row changed (`live_changed_lead_ids`) and its creation, campaign or source differ now or it is no
    longer the tenant's, or a changed call as built (fct_calls) was one that put it in a stage: the
    call at one of its milestones (`milestones`: stage -> fct_leads column, the first qualifying call at
    or after creation) or at one of its last calls before creation (`early`: stage -> column; only
    irregular leads have them), with that stage's flag (`call_flags`: stage -> fct_calls flag). The other
    leads' unchanged calls still reach each stage at those built columns (DECISIONLOG 80, 113). With
    `team`, the columns a changed call may have set are the lead's for the request's team
    (fct_lead_teams: its calls the team filter keeps, as built; none when the team never reached it),
    and lead_stage_gains reads those columns itself, for the few leads it needs them for."""
    set_stage = sql.SQL(" or ").join(
        sql.SQL("(old.{flag} and (old.started_at = old_lead.{milestone} or old.started_at = old_lead.{early}))").format(
            flag=sql.Identifier(call_flags[stage]),
            milestone=sql.Identifier(milestones[stage]),
            early=sql.Identifier(early[stage]),
        )
        for stage in milestones
    )
    stage_columns = [*milestones.values(), *early.values()]
    return sql.SQL(
        """
        select
            changed.lead_id, built.lead_source, built.created_at, built.campaign_id, {columns},
            built.lead_id is null
                or coalesce(built.has_foreign_campaign_calls and %(campaign_filter)s
                    and built.campaign_id = %(campaign_id)s, false)
                or (now_lead.lead_id is not null and (
                    now_lead.gone or now_lead.created_at is distinct from built.created_at
                    or now_lead.campaign_id is distinct from built.campaign_id
                    or now_lead.lead_source is distinct from built.lead_source))
                or changed.lead_id in (
                    select old.lead_id
                    from marts.fct_calls as old
                    inner join {stages_of} as old_lead
                        on old_lead.tenant_id = old.tenant_id and old_lead.lead_id = old.lead_id {of_team}
                    where old.tenant_id = %(tenant_id)s and old.call_id = any(%(live_call_ids)s)
                        and ({set_stage})
                ) as swap
        from unnest(%(live_lead_ids)s::bigint[]) as changed (lead_id)
        left join (
            -- the built rows in one index scan over the sorted ids, hashed (`offset 0`: not planned as
            -- one probe per lead, which took half as long again)
            select leads.lead_id, leads.lead_source, leads.created_at, leads.campaign_id,
                leads.has_foreign_campaign_calls, {lead_columns}
            from marts.fct_leads as leads
            where leads.tenant_id = %(tenant_id)s and leads.lead_id = any(%(live_lead_ids)s)
            offset 0
        ) as built on built.lead_id = changed.lead_id
        left join (
            -- a lead whose own row did not change since the build stands as built (fct_leads): only
            -- the changed ones are read from raw
            select rows_changed.lead_id, lead_now.lead_id is null as gone, lead_now.created_at,
                lead_now.campaign_id, lead_now.lead_source
            from unnest(%(live_changed_lead_ids)s::bigint[]) as rows_changed (lead_id)
            left join {leads} as lead_now
                on lead_now.tenant_id = %(tenant_id)s and lead_now.lead_id = rows_changed.lead_id
        ) as now_lead on now_lead.lead_id = changed.lead_id
        """
    ).format(
        columns=sql.SQL(", ").join(sql.SQL("built.{}").format(sql.Identifier(c)) for c in stage_columns),
        lead_columns=sql.SQL(", ").join(sql.SQL("leads.{}").format(sql.Identifier(c)) for c in stage_columns),
        set_stage=set_stage,
        leads=LIVE_LEADS,
        stages_of=sql.SQL("marts.fct_lead_teams" if team else "marts.fct_leads"),
        of_team=sql.SQL("and old_lead.team_id = %(team_id)s" if team else ""),
    )


SWAPPED_LEADS = sql.SQL("any(array(select live_leads.lead_id from live_leads where live_leads.swap))")


# Under agent filters (queries.lead_stages, DECISIONLOG 85) the cohort's calls are grouped per lead as they
# stand. Two CTEs, which know no window (one statement serves a window and its `compare` window):
# `changed_now`, the changed calls with a lead as they stand that pass every filter (`{filters}`), with
# their lead's built row (fct_leads: creation, campaign, source); `regrouped_leads`, every lead whose
# calls may not simply be its built ones: a lead whose own row changed since the build or that has no
# built row is read whole from raw (`whole`), a lead with a changed call now is regrouped from its
# unchanged built calls and its changed calls now in the window. A lead regrouped whose changed calls
# are all outside a window gets its unchanged built calls there, which is what it gets kept, so the
# set may be larger than a window needs.
def agent_lead_ctes(call_filters: sql.Composable) -> sql.Composable:
    return sql.SQL(
        """
        changed_now as materialized (
            select calls.lead_id, lead.lead_id is not null as built_lead, lead.lead_source,
                lead.created_at as lead_created_at, lead.campaign_id as lead_campaign_id, calls.started_at,
                calls.is_dial, calls.is_answered, calls.talk_sec, calls.disposition_code, calls.is_conversion
            from {live_calls} as calls
            left join marts.fct_leads as lead on lead.tenant_id = %(tenant_id)s and lead.lead_id = calls.lead_id
            where calls.tenant_id = %(tenant_id)s and calls.call_id = any(%(live_call_ids)s)
                and calls.lead_id is not null
                {filters}
        ),
        regrouped_leads as materialized (
            select leads.lead_id, bool_or(leads.whole) as whole
            from (
                select changed.lead_id, true as whole
                from unnest(%(live_changed_lead_ids)s::bigint[]) as changed (lead_id)
                union all
                select changed_now.lead_id, not changed_now.built_lead from changed_now
            ) as leads
            group by leads.lead_id
        )
        """
    ).format(live_calls=LIVE_CALLS, filters=call_filters)


def regrouped_leads(whole: bool) -> sql.Composable:
    """The `regrouped_leads` read whole from raw (`whole`) or regrouped (not), as the right-hand side of
    `lead_id = ...`."""
    return sql.SQL(
        "any(array(select regrouped_leads.lead_id from regrouped_leads where {not_} regrouped_leads.whole))"
    ).format(not_=sql.SQL("" if whole else "not"))


# A built call (alias `calls`) that stands as built: not changed since the build, of a lead not regrouped.
UNCHANGED_CALLS_OF_KEPT_LEADS = sql.SQL(
    "and calls.call_id <> all(%(live_call_ids)s)"
    " and not exists (select from regrouped_leads where regrouped_leads.lead_id = calls.lead_id)"
)


def lead_stage_gains(
    stage_flags: sql.Composable,
    milestones: dict[str, str],
    early: dict[str, str],
    call_filters: sql.Composable,
    team: bool = False,
) -> sql.Composable:
    """(lead_source, 0, stages...) of the `live_leads` not swapped whole: the stages a cohort lead
    reaches now through a changed call (as it stands now, in the window, passing every filter) and had
    not reached as built (its milestone < the window's end, or its last call before creation at or
    after the window's start). Totals and sources are unchanged. With `team`, the columns are the lead's
    for the request's team (fct_lead_teams), probed only for the leads with such a changed call (under
    a team, a few of the changed leads)."""
    gains = sql.SQL(", ").join(
        sql.SQL(
            "count(*) filter (where changed_calls.{stage} and not (coalesce({reached}.{milestone} < %(window_end)s,"
            " false) or coalesce({reached}.{early} >= %(window_start)s, false))) as {stage}"
        ).format(
            stage=sql.Identifier(stage),
            reached=sql.Identifier("reached" if team else "leads"),
            milestone=sql.Identifier(column),
            early=sql.Identifier(early[stage]),
        )
        for stage, column in milestones.items()
    )
    return sql.SQL(
        """
        select leads.lead_source, 0 as total_leads, {gains}
        from live_leads as leads
        inner join (
            select calls.lead_id, {stage_flags}
            from {live_calls} as calls
            where calls.tenant_id = %(tenant_id)s and calls.call_id = any(%(live_call_ids)s)
                and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
                {call_filters}
            group by calls.lead_id
        ) as changed_calls on changed_calls.lead_id = leads.lead_id
        {team_milestones}
        where not leads.swap
            and leads.created_at >= %(window_start)s and leads.created_at < %(window_end)s
            and (%(campaign_id)s::bigint is null or leads.campaign_id = %(campaign_id)s)
        group by leads.lead_source
        """
    ).format(
        gains=gains,
        stage_flags=stage_flags,
        live_calls=LIVE_CALLS,
        call_filters=call_filters,
        team_milestones=sql.SQL(
            "left join marts.fct_lead_teams as reached on reached.tenant_id = %(tenant_id)s"
            " and reached.lead_id = leads.lead_id and reached.team_id = %(team_id)s"
            if team
            else ""
        ),
    )
