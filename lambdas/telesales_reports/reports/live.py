"""Live answers (docs/api-reference.md §6.1): the marts plus the rows changed since the published build.

The marts hold what the last published build read from raw; its cutoff is in ops.warehouse_builds.
Every call (lead) with updated_at at or after `live_since` (the cutoff minus the replication
allowance) may differ from its fact row, so each report adds, for exactly those rows,

    - the contribution of the row as it was built (read from marts.fct_calls / fct_leads), negated, and
    + the contribution of the row as it stands now (read through the dbt staging/intermediate views,
      so the classification is the warehouse's own, never re-typed here),

each in the window and bucket of its own started_at (created_at). A row that did not change since the
build adds and removes the same contribution; any superset of the changed rows therefore gives the
same, exact answer, which is why an older cutoff (or a generous allowance) is always safe. Lead
stages are not additive per call, so the funnel swaps whole leads: every lead that changed, or had a
call added, removed or changed, is removed as built and added as it is now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from ..settings import get_settings

LIVE_CALLS = sql.SQL("intermediate.int_calls__classified")
LIVE_LEADS = sql.SQL("staging.stg_raw__leads")

PUBLISHED_CUTOFF = "select cutoff_at from ops.warehouse_builds order by build_id desc limit 1"


def live_since(conn: psycopg.Connection) -> datetime | None:
    """The updated_at from which rows may be newer than the marts (None: no build recorded, no delta)."""
    row = conn.execute(PUBLISHED_CUTOFF).fetchone()
    if row is None:
        return None
    cutoff = row["cutoff_at"] if isinstance(row, dict) else row[0]
    return cutoff - timedelta(seconds=get_settings().live_allowance_sec)


def changed_call_ids() -> sql.Composable:
    """The tenant's calls changed since the published build."""
    return sql.SQL(
        "select changed.call_id from staging.stg_raw__calls as changed"
        " where changed.tenant_id = %(tenant_id)s and changed.updated_at >= %(live_since)s"
    )


def call_delta(
    keys: Sequence[str], measures: Sequence[tuple[str, str]], where: sql.Composable, filters_for
) -> list[sql.Composable]:
    """The two parts a report adds for the calls changed since the build, as (keys..., measures...):
    the built rows negated and the current rows. `measures` are (name, expression over the call columns
    of fct_calls / the live view); `where` restricts rows (e.g. dials only); `filters_for(alias)` gives
    the request's filters on that alias. Both parts cover the request's whole window."""
    key_list = sql.SQL(", ").join(sql.SQL("calls.{}").format(sql.Identifier(k)) for k in keys)
    columns = sql.SQL(", ").join(
        [key_list, *(sql.SQL(expr + " as {}").format(sql.Identifier(name)) for name, expr in measures)]
    )
    negated = sql.SQL(", ").join(
        [
            *(sql.Identifier(k) for k in keys),
            *(sql.SQL("-{name} as {name}").format(name=sql.Identifier(name)) for name, _ in measures),
        ]
    )
    window = sql.SQL("calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s")
    now = sql.SQL(
        "select {columns} from {live} as calls where calls.tenant_id = %(tenant_id)s"
        " and calls.updated_at >= %(live_since)s and {window} {where} {filters}"
    ).format(columns=columns, live=LIVE_CALLS, window=window, where=where, filters=filters_for("calls"))
    built = sql.SQL(
        "select {negated} from (select {columns} from marts.fct_calls as calls"
        " where calls.tenant_id = %(tenant_id)s and {window} {where} {filters}"
        " and calls.call_id in ({changed})) as built"
    ).format(
        negated=negated,
        columns=columns,
        window=window,
        where=where,
        filters=filters_for("calls"),
        changed=changed_call_ids(),
    )
    return [built, now]


def changed_lead_ids() -> sql.Composable:
    """Every lead whose contribution to a lead report may differ from the build: the leads changed since,
    and the leads (before and after) of the calls changed since."""
    return sql.SQL(
        """
        select changed_leads.lead_id from {leads} as changed_leads
        where changed_leads.tenant_id = %(tenant_id)s and changed_leads.updated_at >= %(live_since)s
        union
        select changed_calls.lead_id from staging.stg_raw__calls as changed_calls
        where changed_calls.tenant_id = %(tenant_id)s and changed_calls.updated_at >= %(live_since)s
            and changed_calls.lead_id is not null
        union
        select built_calls.lead_id from marts.fct_calls as built_calls
        where built_calls.tenant_id = %(tenant_id)s and built_calls.lead_id is not null
            and built_calls.call_id in ({changed_calls})
        """
    ).format(leads=LIVE_LEADS, changed_calls=changed_call_ids())


def lead_stages_now(stage_flags: sql.Composable, stages: Sequence[str], call_filters: sql.Composable) -> sql.Composable:
    """(lead_source, total_leads, stages...) of the changed leads as they stand now, straight from the
    funnel's definition: a cohort lead (created in the window, in the campaign) reached a stage when one
    of its current calls in the window that pass every filter qualifies."""
    stage_counts = sql.SQL(", ").join(
        sql.SQL("count(*) filter (where per_lead.{s}) as {s}").format(s=sql.Identifier(s)) for s in stages
    )
    return sql.SQL(
        """
        select per_lead.lead_source, count(*) as total_leads, {stage_counts}
        from (
            select leads.lead_id, leads.lead_source, {stage_flags}
            from {leads} as leads
            left join {live_calls} as calls
                on calls.tenant_id = leads.tenant_id and calls.lead_id = leads.lead_id
                and calls.started_at >= %(window_start)s and calls.started_at < %(window_end)s
                {call_filters}
            where leads.tenant_id = %(tenant_id)s
                and leads.created_at >= %(window_start)s and leads.created_at < %(window_end)s
                and (%(campaign_id)s::bigint is null or leads.campaign_id = %(campaign_id)s)
                and leads.lead_id in ({changed})
            group by leads.lead_id, leads.lead_source
        ) as per_lead
        group by per_lead.lead_source
        """
    ).format(
        stage_counts=stage_counts,
        stage_flags=stage_flags,
        leads=LIVE_LEADS,
        live_calls=LIVE_CALLS,
        call_filters=call_filters,
        changed=changed_lead_ids(),
    )
