"""The live part of `telesales-reports bench` (docs/api-reference.md §6.1): un-built rows on top of the marts.

`add_unbuilt_rows` replicates what an hour of the dialer looks like after the last build: new calls
(copies of recent calls with new ids, started in the last days of the window, so some are late
arrivals) and updates of existing calls (re-dispositions, new results, other agents, campaigns and
leads, started_at corrected across slots), every one with updated_at = now as replication sets it.
The benchmark then times every report case again through the handler (the answers must still equal
the raw-table baselines: the live rows are folded in exactly) and times the incremental build of those
rows and of a 15-minute batch.
"""

from __future__ import annotations

import time

import psycopg

NEW_CALLS_SQL = """
insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id, started_at, answered_at,
    ended_at, result, block_reason, talk_sec, hold_sec, wrap_sec, disposition_code, updated_at)
select
    (select max(id) from raw.calls) + row_number() over (),
    c.tenant_id, c.campaign_id, c.lead_id, c.agent_id, c.team_id, c.caller_id,
    c.started_at + make_interval(secs => (hashint8extended(c.id, %(seed)s) %% 7200)::int),
    c.answered_at, c.ended_at, c.result, c.block_reason, c.talk_sec, c.hold_sec, c.wrap_sec, c.disposition_code,
    clock_timestamp()
from (
    select * from raw.calls
    where tenant_id = %(tenant_id)s and started_at >= %(since)s and started_at < %(until)s
    order by hashint8extended(id, %(seed)s)
    limit %(rows)s
) as c
"""

# One of five changes per call, by its id: re-disposition, new result, another agent, another lead,
# started_at corrected by 20 minutes (another slot, sometimes another day).
UPDATE_CALLS_SQL = """
with picked as (
    select id, row_number() over () as n
    from (
        select id from raw.calls
        where tenant_id = %(tenant_id)s and started_at >= %(since)s and started_at < %(until)s
        order by hashint8extended(id, %(seed)s + 1)
        limit %(rows)s
    ) as sample
),
donor as (
    select
        (select array_agg(code order by code) from raw.dispositions where tenant_id = %(tenant_id)s) as codes,
        (select array_agg(id) from raw.users where tenant_id = %(tenant_id)s) as agents
)
update raw.calls as c set
    disposition_code = case when p.n %% 5 = 0 then donor.codes[1 + p.n %% cardinality(donor.codes)]
        else c.disposition_code end,
    result = case when p.n %% 5 = 1 then (array['connected', 'no_answer', 'busy', 'abandoned'])[1 + p.n %% 4]
        else c.result end,
    agent_id = case when p.n %% 5 = 2 then donor.agents[1 + p.n %% cardinality(donor.agents)] else c.agent_id end,
    lead_id = case when p.n %% 5 = 3 then c.lead_id + 1 else c.lead_id end,
    started_at = case when p.n %% 5 = 4 then c.started_at + interval '20 minutes' else c.started_at end,
    updated_at = clock_timestamp()
from picked as p, donor
where c.id = p.id
"""


def add_unbuilt_rows(
    url: str, tenant_id: int, since, until, new_calls: int, updated_calls: int, seed: int = 7
) -> dict[str, float | int]:
    """Insert `new_calls` and update `updated_calls` calls started in [since, until), updated_at = now."""
    started = time.perf_counter()
    params = {"tenant_id": tenant_id, "since": since, "until": until, "seed": seed}
    with psycopg.connect(url) as conn:
        inserted = conn.execute(NEW_CALLS_SQL, params | {"rows": new_calls}).rowcount
        updated = conn.execute(UPDATE_CALLS_SQL, params | {"rows": updated_calls}).rowcount
    return {"new_calls": inserted, "updated_calls": updated, "seconds": round(time.perf_counter() - started, 2)}


def run(
    url: str, window: dict, campaign_id: int, agent_ids, team_id: int, reports, lambda_handler, base_conn, repeat: int
) -> dict:
    """Add one hour of un-built rows (~2,000 new calls, ~1,000 updated ones), time every report case
    through the handler against its raw-table baseline, then time the incremental build of those rows
    and of a 15-minute batch (~500 new, ~250 updated)."""
    from datetime import timedelta

    from telesales_reports.db import connection as db

    from .bench import TENANT, _log, build_cases, run_case, timed_build
    from .embedded_db import api_login_url

    since, until = window["end"] - timedelta(days=3), window["end"]
    hour = add_unbuilt_rows(url, TENANT, since, until, new_calls=2000, updated_calls=1000)
    _log(f"live: {hour['new_calls']} new and {hour['updated_calls']} updated calls not built yet")
    db.reset(api_login_url(url))  # the API's own login, as in the built cases
    cases = build_cases(window, campaign_id, agent_ids, team_id, reports)
    for case in cases:
        run_case(case, lambda_handler, base_conn, repeat, 1)
        r = case.result
        flag = "ok" if r.get("equal") else (f"ERROR {r['error']}" if "error" in r else f"MISMATCH {r['mismatch']}")
        _log(f"  live {case.report:<24} {case.name:<30} p95 {r.get('ours', {}).get('p95_ms')} ms  {flag}")
    _log("live: incremental build of the hour ...")
    hour_build = timed_build(url, full_refresh=False)
    batch = add_unbuilt_rows(url, TENANT, since, until, new_calls=500, updated_calls=250, seed=8)
    _log(f"live: incremental build of a 15-minute batch ({batch['new_calls']} new, {batch['updated_calls']} updated)")
    batch_build = timed_build(url, full_refresh=False)
    db.reset(api_login_url(url))
    return {
        "unbuilt": hour,
        "results": [c.result for c in cases],
        "build_hour": hour_build,
        "batch": batch,
        "build_batch": batch_build,
    }
