"""Random replication changes for the property tests of incremental builds and live answers: late
inserts, updates of every column the contract reads, moves across slots, days, leads, agents and
campaigns, and periods emptied of their only qualifying rows. Every changed row gets updated_at =
the database clock, as replication sets it."""

from __future__ import annotations

import random
from datetime import timedelta

import psycopg

RESULTS = ("connected", "abandoned", "voicemail", "no_answer", "busy", "rejected", "failed", "blocked")
SOURCES = ("web", " web ", "facebook", "", None, "\u3000referral\u00a0", "Tờ rơi")


def _ids(conn: psycopg.Connection, sql: str, params=()) -> list:
    return [r[0] for r in conn.execute(sql, params).fetchall()]


def apply_changes(url: str, rng: random.Random, changes: int = 40) -> list[str]:
    """Apply `changes` random replication changes to raw; return what was done (for failure messages)."""
    done: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        tenants = _ids(conn, "select distinct tenant_id from raw.calls order by 1")
        for _ in range(changes):
            tenant = rng.choice(tenants)
            calls = _ids(conn, "select id from raw.calls where tenant_id = %s order by id", (tenant,))
            leads = _ids(conn, "select id from raw.leads where tenant_id = %s order by id", (tenant,))
            campaigns = _ids(conn, "select id from raw.campaigns where tenant_id = %s order by id", (tenant,))
            agents = _ids(conn, "select id from raw.users where tenant_id = %s order by id", (tenant,))
            teams = _ids(conn, "select id from raw.teams where tenant_id = %s order by id", (tenant,))
            codes = _ids(conn, "select code from raw.dispositions where tenant_id = %s order by code", (tenant,))
            cids = _ids(conn, "select cid from raw.caller_ids where tenant_id = %s order by cid", (tenant,))
            call = rng.choice(calls)
            kind = rng.choice(
                [
                    "late_call", "late_lead", "result", "disposition", "agent", "team", "campaign", "caller_id",
                    "lead", "seconds", "slot", "day", "lead_created", "lead_campaign", "lead_source",
                    "empty_slot", "empty_day_dispositions", "huge_seconds",
                ]
            )  # fmt: skip
            stamp = "updated_at = clock_timestamp()"
            if kind == "late_call":
                new_id = conn.execute("select coalesce(max(id), 0) + 1 from raw.calls").fetchone()[0]
                conn.execute(
                    """insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id,
                           started_at, result, block_reason, talk_sec, hold_sec, wrap_sec, disposition_code, updated_at)
                       select %s, tenant_id, %s, %s, %s, %s, %s, started_at - make_interval(secs => %s), %s,
                           case when %s = 'blocked' then 'pdpl_window' end, %s, %s, %s, %s, clock_timestamp()
                       from raw.calls where id = %s""",
                    (
                        new_id, rng.choice(campaigns), rng.choice([*leads, None]), rng.choice([*agents, None]),
                        rng.choice([*teams, None]), rng.choice([*cids, None]), rng.randint(0, 3 * 86400),
                        (result := rng.choice(RESULTS)), result, rng.randint(0, 400), rng.randint(0, 60),
                        rng.randint(0, 90), rng.choice([*codes, None, "UNKNOWN_CODE"]), call,
                    ),
                )  # fmt: skip
                done.append(f"late call {new_id}")
            elif kind == "late_lead":
                # the next id below the highest ids a test may plant (test_agent_bitmaps: the last block of ids)
                new_id = conn.execute(
                    "select coalesce(max(id) filter (where id < 4611686018427387904), 0) + 1 from raw.leads"
                ).fetchone()[0]
                conn.execute(
                    """insert into raw.leads (id, tenant_id, campaign_id, source, phone, created_at, updated_at)
                       select %s, tenant_id, %s, %s, '0900000000', started_at - make_interval(secs => %s),
                           clock_timestamp()
                       from raw.calls where id = %s""",
                    (new_id, rng.choice(campaigns), rng.choice(SOURCES), rng.randint(-3600, 86400), call),
                )
                # and one of the tenant's calls now belongs to it
                conn.execute(f"update raw.calls set lead_id = %s, {stamp} where id = %s", (new_id, rng.choice(calls)))
                done.append(f"late lead {new_id}")
            elif kind == "result":
                result = rng.choice(RESULTS)
                conn.execute(
                    f"update raw.calls set result = %s, block_reason = %s, {stamp} where id = %s",
                    (result, rng.choice(["pdpl_window", "dnc"]) if result == "blocked" else None, call),
                )
                done.append(f"call {call} result {result}")
            elif kind == "disposition":
                code = rng.choice([*codes, None, "UNKNOWN_CODE"])
                conn.execute(f"update raw.calls set disposition_code = %s, {stamp} where id = %s", (code, call))
                done.append(f"call {call} disposition {code}")
            elif kind == "agent":
                agent = rng.choice([*agents, None])
                conn.execute(f"update raw.calls set agent_id = %s, {stamp} where id = %s", (agent, call))
                done.append(f"call {call} agent {agent}")
            elif kind == "team":
                team = rng.choice([*teams, None])
                conn.execute(f"update raw.calls set team_id = %s, {stamp} where id = %s", (team, call))
                done.append(f"call {call} team {team}")
            elif kind == "campaign":
                campaign = rng.choice(campaigns)
                conn.execute(f"update raw.calls set campaign_id = %s, {stamp} where id = %s", (campaign, call))
                done.append(f"call {call} campaign {campaign}")
            elif kind == "caller_id":
                cid = rng.choice([*cids, None, "0000000000"])
                conn.execute(f"update raw.calls set caller_id = %s, {stamp} where id = %s", (cid, call))
                done.append(f"call {call} caller_id {cid}")
            elif kind == "lead":
                lead = rng.choice([*leads, None])
                conn.execute(f"update raw.calls set lead_id = %s, {stamp} where id = %s", (lead, call))
                done.append(f"call {call} lead {lead}")
            elif kind == "seconds":
                talk, hold, wrap = rng.randint(0, 120), rng.randint(0, 30), rng.randint(0, 60)
                conn.execute(
                    f"update raw.calls set talk_sec = %s, hold_sec = %s, wrap_sec = %s, {stamp} where id = %s",
                    (talk, hold, wrap, call),
                )
                done.append(f"call {call} seconds {talk}/{hold}/{wrap}")
            elif kind == "huge_seconds":
                conn.execute(
                    f"update raw.calls set talk_sec = 2000000000, hold_sec = 200000000, wrap_sec = 100000000, {stamp}"
                    " where id = %s",
                    (call,),
                )
                done.append(f"call {call} huge seconds")
            elif kind in ("slot", "day"):
                shift = (
                    timedelta(minutes=rng.choice([-30, -15, 15, 45]))
                    if kind == "slot"
                    else timedelta(days=rng.choice([-2, -1, 1]))
                )
                conn.execute(f"update raw.calls set started_at = started_at + %s, {stamp} where id = %s", (shift, call))
                done.append(f"call {call} started_at {shift}")
            elif kind == "lead_created":
                lead = rng.choice(leads)
                shift = timedelta(hours=rng.choice([-30, -3, 5, 26]))
                conn.execute(f"update raw.leads set created_at = created_at + %s, {stamp} where id = %s", (shift, lead))
                done.append(f"lead {lead} created_at {shift}")
            elif kind == "lead_campaign":
                lead, campaign = rng.choice(leads), rng.choice(campaigns)
                conn.execute(f"update raw.leads set campaign_id = %s, {stamp} where id = %s", (campaign, lead))
                done.append(f"lead {lead} campaign {campaign}")
            elif kind == "lead_source":
                lead, source = rng.choice(leads), rng.choice(SOURCES)
                conn.execute(f"update raw.leads set source = %s, {stamp} where id = %s", (source, lead))
                done.append(f"lead {lead} source {source!r}")
            elif kind == "empty_slot":
                # every call of the chosen call's 15-minute slot moves to the next day: the slot empties
                conn.execute(
                    f"""update raw.calls set started_at = started_at + interval '1 day', {stamp}
                        where tenant_id = %s and started_at >= (select date_bin('15 minutes', started_at,
                            timestamptz '2000-01-01 00:00+00') from raw.calls where id = %s)
                        and started_at < (select date_bin('15 minutes', started_at,
                            timestamptz '2000-01-01 00:00+00') + interval '15 minutes' from raw.calls where id = %s)""",
                    (tenant, call, call),
                )
                done.append(f"slot of call {call} emptied")
            else:  # empty_day_dispositions: the day of one campaign loses every disposition and caller ID
                conn.execute(
                    f"""update raw.calls set disposition_code = null, caller_id = null, {stamp}
                        where tenant_id = %s and campaign_id = (select campaign_id from raw.calls where id = %s)
                        and started_at >= (select date_trunc('day', started_at at time zone 'UTC') at time zone 'UTC'
                            from raw.calls where id = %s)
                        and started_at < (select date_trunc('day', started_at at time zone 'UTC') at time zone 'UTC'
                            + interval '1 day' from raw.calls where id = %s)""",
                    (tenant, call, call, call),
                )
                done.append(f"day of call {call}: dispositions and caller IDs cleared")
    return done
