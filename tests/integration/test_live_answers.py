"""Live answers and write-audit-publish (docs/api-reference.md §6.1), on the contract dataset:
- changes in raw show up on the very next request, exactly, without a build (new ids valid in filters,
  names as they stand, a call moved to another day counted only there);
- a report's transaction never mixes two builds, and a build that fails publishes nothing."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.adapt import PyFormat
from psycopg.rows import dict_row

from telesales_build.bootstrap import ensure_schema
from telesales_build.dbt_runner import BuildFailed, build
from telesales_reports.db import connection as db
from telesales_reports.db.id_arrays import IdArray, IdArrayDumper
from telesales_reports.reports import live
from telesales_reports.reports.compare import comparison_window
from tests.contract_data import contract_rows
from tests.integration.reference import Reference, load, utc
from tests.support import api_url, call, data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
START, END = utc("2026-06-01T00:00:00+00:00"), utc("2026-06-02T00:00:00+00:00")


@pytest.fixture
def live_db(fresh_database):
    url = fresh_database("live")
    ensure_schema(url)
    contract_rows().load(url)
    build(url)
    # as the API's own login: raw and the dbt views bind it to the request's tenant (DECISIONLOG 60)
    db.reset(api_url(url))
    return url


def published(url: str) -> tuple[int, datetime]:
    with psycopg.connect(url) as conn:
        return conn.execute("select count(*), max(cutoff_at) from ops.warehouse_builds").fetchone()


# A local day at +05:45: a window of no whole UTC days.
LOCAL = {"date_from": "2026-06-01T00:00:00+05:45", "date_to": "2026-06-02T00:00:00+05:45"}
LOCAL_START, LOCAL_END = utc(LOCAL["date_from"]), utc(LOCAL["date_to"])
LEAD_REPORTS = [("funnel", "funnel"), ("lead-source-attribution", "lead_source_attribution")]
# One dial of tenant 1 from caller ID 0900000001, replicated now: (id, campaign_id, lead_id, agent_id,
# started_at, answered_at, result, talk_sec, disposition_code).
INSERT_DIAL = (
    "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, caller_id, started_at, answered_at,"
    " result, talk_sec, disposition_code, updated_at) values (%s, 1, %s, %s, %s, '0900000001', %s, %s, %s, %s,"
    " %s, now())"
)


def follow_steps(url: str, steps, shapes, reports) -> None:
    """Apply each (statement, values) of `steps` to raw, one at a time, and after each require every
    (report, Reference method) of `reports` to equal the reference on raw as it stands, in every shape
    (params, start, end, reference filters); no build is published meanwhile."""
    before = published(url)
    for statement, values in steps:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement, values or None)
        ref = Reference(load(url), 1)
        for params, start, end, filters in shapes:
            for report, method in reports:
                expected = getattr(ref, method)(start, end, **filters)
                assert data(report, params) == expected, (statement, values, report, params)
    assert published(url) == before


def test_changes_show_up_on_the_next_request_without_a_build(live_db):
    before = published(live_db)
    with psycopg.connect(live_db, autocommit=True) as conn:
        # a campaign, a team and an agent created a second ago, and a call of theirs
        conn.execute(
            "insert into raw.campaigns values (46, 1, 'Flash sale', 'active', null, now(), now());"
            "insert into raw.teams values (9, 1, 'Team Đà Nẵng');"
            "insert into raw.users values (6, 1, 9, 'Phạm Thu D', 'agent04', now(), now());"
            "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id, started_at,"
            " answered_at, result, talk_sec, disposition_code, updated_at) values"
            " (60, 1, 46, 2, 6, 9, '0900000004', '2026-06-01 10:10+00', '2026-06-01 10:10+00', 'connected', 45,"
            " 'sale', now())"
        )
        # an agent renamed, a call moved to the next day, another re-dispositioned and reassigned
        conn.execute("update raw.users set name = 'Nguyễn Văn A (trưởng nhóm)', updated_at = now() where id = 3")
        # (a day in UTC, in immutable arithmetic: Citus refuses a stable timestamptz + interval in an UPDATE)
        conn.execute(
            "update raw.calls set started_at = ((started_at at time zone 'UTC') + interval '1 day') at time zone 'UTC',"
            " updated_at = now() where id = 1"
        )
        conn.execute("update raw.calls set disposition_code = 'sale', agent_id = 4, updated_at = now() where id = 9")
    ref = Reference(load(live_db), 1)
    # new ids are valid in filters at once, and counted
    assert call("dashboard", {**DAY, "campaign_id": "46"})[0] == 200
    assert data("dashboard", {**DAY, "campaign_id": "46"}) == ref.dashboard(START, END, campaign=46)
    assert data("dashboard", {**DAY, "team_id": "9"}) == ref.dashboard(START, END, team=9)
    assert data("agent-performance", {**DAY, "agent_ids[]": "6"}) == ref.agent_performance(START, END, agents=(6,))
    # every report as raw stands, names included
    assert data("dashboard", DAY) == ref.dashboard(START, END)
    agents = data("agent-performance", DAY)
    assert agents == ref.agent_performance(START, END)
    assert "Nguyễn Văn A (trưởng nhóm)" in {a["name"] for a in agents}
    assert data("disposition-breakdown", DAY) == ref.disposition_breakdown(START, END)
    assert data("funnel", DAY) == ref.funnel(START, END)
    assert data("lead-source-attribution", DAY) == ref.lead_source_attribution(START, END)
    assert data("time-series", {**DAY, "group_by": "hour"}) == ref.time_series(START, END, group_by="hour")
    # the moved call counts on its new day only
    next_day = {"date_from": "2026-06-02", "date_to": "2026-06-02"}
    assert data("dashboard", next_day) == ref.dashboard(END, utc("2026-06-03T00:00:00+00:00"))
    # all of it without a build
    assert published(live_db) == before


def test_a_user_created_since_the_build_counts_for_their_team_at_once_a_moved_one_from_the_next_build(live_db):
    """docs/api-reference.md §1 and §6.1: a call without a team counts for its agent's current team. A
    user created since the build has no earlier team, so their calls count for their team at once
    (ids created since the build count at once); a built user's move to another team applies from the
    next build. Every call report under the team filter, and the lead reports, against the reference."""
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("insert into raw.users values (6, 1, 7, 'Phạm Thu D', 'agent04', now(), now())")
        # two calls without a team by the new agent: one on lead 2, created that day, one without a lead
        conn.execute(INSERT_DIAL, (61, 43, 2, 6, "2026-06-01 10:10+00", "2026-06-01 10:10+00", "connected", 45, "sale"))
        conn.execute(INSERT_DIAL, (62, 43, None, 6, "2026-06-01 11:00+00", None, "no_answer", 0, None))
    ref = Reference(load(live_db), 1)
    team = {**DAY, "team_id": "7"}
    for report, method in [
        ("dashboard", "dashboard"),
        ("agent-performance", "agent_performance"),
        ("disposition-breakdown", "disposition_breakdown"),
        ("caller-id-health", "caller_id_health"),
        ("attempts", "attempts"),
        ("carrier-health", "carrier_health"),
        ("hour-dow-heatmap", "hour_dow_heatmap"),
        ("time-series", "time_series"),
        *LEAD_REPORTS,
    ]:
        ours = data(report, team)
        if report == "caller-id-health":  # health_calls_today is today's, unfiltered (its own test below)
            ours = [{k: v for k, v in row.items() if k != "health_calls_today"} for row in ours]
        assert ours == getattr(ref, method)(START, END, team=7), report
    assert data("dashboard", team)["total_dials"] == ref.dashboard(START, END, team=7)["total_dials"] > 0
    assert data("dashboard", {**team, "agent_ids[]": "6"})["total_dials"] == 2
    assert data("dashboard", {**LOCAL, "team_id": "7"}) == ref.dashboard(LOCAL_START, LOCAL_END, team=7)
    # the new agent moves to team 8 before any build: their team is new to the build, so it is read as it stands
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("update raw.users set team_id = 8, updated_at = now() where id = 6")
    assert data("dashboard", {**team, "agent_ids[]": "6"})["total_dials"] == 0
    assert data("dashboard", {**DAY, "team_id": "8", "agent_ids[]": "6"})["total_dials"] == 2
    build(live_db)
    db.reset(api_url(live_db))
    # built, agent 6 is in team 8; moved to team 7 after this build, their calls stay team 8's until the next
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("update raw.users set team_id = 7, updated_at = now() where id = 6")
    assert data("dashboard", {**DAY, "team_id": "8", "agent_ids[]": "6"})["total_dials"] == 2
    assert data("dashboard", {**team, "agent_ids[]": "6"})["total_dials"] == 0
    build(live_db)
    db.reset(api_url(live_db))
    assert data("dashboard", {**team, "agent_ids[]": "6"})["total_dials"] == 2


def test_a_report_transaction_never_mixes_two_builds(live_db):
    with psycopg.connect(live_db, autocommit=True) as conn:
        old_facts = conn.execute("select count(*) from marts.fct_calls").fetchone()[0]
        conn.execute(
            "insert into raw.calls (id, tenant_id, campaign_id, started_at, result, updated_at)"
            " select 8000 + g, 1, 43, '2026-06-01 12:00+00', 'no_answer', now() from generate_series(1, 3) as g"
        )
    reader = psycopg.connect(live_db)
    done = threading.Event()
    outcome: dict = {}

    def run_build() -> None:
        try:
            outcome["result"] = build(live_db)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc
        done.set()

    try:
        # a report's transaction has read one mart (and holds it to its end)
        assert reader.execute("select count(*) from marts.agg_calls_tenant_15m").fetchone()[0] > 0
        builder = threading.Thread(target=run_build)
        builder.start()
        # the build writes and audits its copy, then waits to publish while the reader is open
        deadline = time.monotonic() + 300
        with psycopg.connect(live_db, autocommit=True) as watcher:

            def building_facts() -> int | None:
                if not watcher.execute("select to_regclass('marts_next.fct_calls') is not null").fetchone()[0]:
                    return None
                return watcher.execute("select count(*) from marts_next.fct_calls").fetchone()[0]

            while building_facts() != old_facts + 3:
                assert time.monotonic() < deadline and not done.is_set(), outcome
                time.sleep(0.2)
        time.sleep(1.0)
        assert not done.is_set(), "the build published while a report's transaction was open"
        # the rest of the report's transaction still reads the build it started with
        assert reader.execute("select count(*) from marts.fct_calls").fetchone()[0] == old_facts
    finally:
        reader.rollback()
        reader.close()
    assert done.wait(300) and "error" not in outcome, outcome
    with psycopg.connect(live_db) as conn:
        assert conn.execute("select count(*) from marts.fct_calls").fetchone()[0] == old_facts + 3
    builder.join()


def test_a_failed_build_publishes_nothing(live_db):
    before = published(live_db)
    figures = data("dashboard", DAY)
    with psycopg.connect(live_db, autocommit=True) as conn:
        # the staging view cannot be re-created: dbt fails before any mart of the copy is complete
        conn.execute("alter table raw.teams rename column name to team_label")
        conn.execute("update raw.calls set talk_sec = talk_sec + 1, updated_at = now() where id = 1")
    try:
        with pytest.raises(BuildFailed):
            build(live_db)
    finally:
        with psycopg.connect(live_db, autocommit=True) as conn:
            conn.execute("alter table raw.teams rename column team_label to name")
    assert published(live_db) == before
    # the served marts are the last good ones, and the live answer still counts the change
    after = data("dashboard", DAY)
    assert int(after["total_talk_time_sec"]) == int(figures["total_talk_time_sec"]) + 1
    assert not build(live_db).full_refresh_fallback
    assert published(live_db)[0] == before[0] + 1
    assert data("dashboard", DAY) == after


def test_a_late_call_renumbers_its_leads_attempts_on_the_next_request(live_db):
    """§6.3 live: a call replicated late, dated before its lead's dials, becomes attempt 1 and moves each
    of the lead's other dials one number up, before any build; a call moved to another lead renumbers
    both leads."""
    with psycopg.connect(live_db, autocommit=True) as conn:
        lead, first = conn.execute(
            "select lead_id, min(started_at) from raw.calls where tenant_id = 1 and lead_id is not null"
            " and result <> 'blocked' and started_at >= %s and started_at < %s"
            " group by lead_id order by count(*) desc, lead_id limit 1",
            (START, END),
        ).fetchone()
        before = data("attempts", DAY)
        conn.execute(
            "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id, started_at,"
            " answered_at, result, talk_sec, disposition_code, updated_at)"
            " select 99001, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id, %s, %s, 'connected', 40,"
            " 'sale', now() from raw.calls where tenant_id = 1 and lead_id = %s order by started_at limit 1",
            (first - timedelta(minutes=1), first - timedelta(minutes=1), lead),
        )
        other = conn.execute(
            "select max(id) from raw.calls where tenant_id = 1 and lead_id <> %s and result <> 'blocked'", (lead,)
        ).fetchone()[0]
        conn.execute("update raw.calls set lead_id = %s, updated_at = now() where id = %s", (lead, other))
    ref = Reference(load(live_db), 1)
    after = data("attempts", DAY)
    assert after == ref.attempts(START, END)
    assert after != before
    for params, f in (({"team_id": "7"}, {"team": 7}), ({"agent_ids[]": "3"}, {"agents": (3,)}),
                      ({"campaign_id": "43"}, {"campaign": 43})):  # fmt: skip
        assert data("attempts", {**DAY, **params}) == ref.attempts(START, END, **f), params


def abandon_reference(url: str, campaign: int, minutes: int) -> tuple[int, int]:
    """docs/api-reference.md §3, abandon-rate, straight from raw: answered and abandoned calls of the
    campaign in the `minutes` before now."""
    with psycopg.connect(url) as conn:
        since, until = conn.execute("select now() - make_interval(mins => %s), now()", (minutes,)).fetchone()
    ref = Reference(load(url), 1)
    window = [c for c in ref.calls if c["campaign_id"] == campaign and since <= c["started_at"] < until]
    return sum(1 for c in window if ref.answered(c)), sum(1 for c in window if c["result"] == "abandoned")


def test_abandon_rate_counts_changed_calls_as_they_stand_on_the_next_request(live_db):
    """The live abandon rate reads the rollups and swaps the calls changed since the build: a late
    abandoned call, a connected call re-classified as abandoned, one moved to another campaign and one
    moved out of the window each count as they stand now, before any build."""
    current = data("abandon-rate", {"campaign_id": "43"})["current"]
    assert (current["attempts_total"], current["attempts_abandoned"]) == abandon_reference(live_db, 43, 43200)
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute(
            "insert into raw.calls (id, tenant_id, campaign_id, started_at, answered_at, result, updated_at)"
            " values (99101, 1, 43, now() - interval '5 minutes', now() - interval '5 minutes', 'abandoned', now())"
        )
        conn.execute("update raw.calls set result = 'abandoned', updated_at = now() where id = 300")
        conn.execute("update raw.calls set campaign_id = 44, updated_at = now() where id = 301")
        conn.execute(
            "update raw.calls set started_at = ((started_at at time zone 'UTC') - interval '35 days') at time zone"
            " 'UTC', updated_at = now() where id = 302"
        )
    for campaign, minutes in ((43, 43200), (44, 43200), (43, 60), (43, 2000)):
        body = data("abandon-rate", {"campaign_id": str(campaign), "window_minutes": str(minutes)})["current"]
        expected = abandon_reference(live_db, campaign, minutes)
        assert (body["attempts_total"], body["attempts_abandoned"]) == expected, (campaign, minutes)
    now = data("abandon-rate", {"campaign_id": "43"})["current"]
    # 9 connected + 1 abandoned before; +1 late abandoned; 300 now abandoned; 301 and 302 gone
    assert (now["attempts_total"], now["attempts_abandoned"]) == (current["attempts_total"] - 1, 3)


TODAY_ZONES = ("UTC", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Ho_Chi_Minh", "America/New_York", "Pacific/Chatham")


def today_reference(url: str, zone: str) -> dict[str, int]:
    """health_calls_today from raw: every dial per caller ID from the zone's local midnight to the next."""
    local = datetime.now(UTC).astimezone(ZoneInfo(zone))
    start = datetime.combine(local.date(), dt_time(0), tzinfo=ZoneInfo(zone))
    end = datetime.combine(local.date() + timedelta(days=1), dt_time(0), tzinfo=ZoneInfo(zone))
    ref = Reference(load(url), 1)
    counts: dict[str, int] = {}
    for c in ref.calls:
        if ref.dial(c) and c["caller_id"] is not None and start <= c["started_at"] < end:
            counts[c["caller_id"]] = counts.get(c["caller_id"], 0) + 1
    return counts


def test_health_calls_today_counts_the_local_day_from_rollups_and_changed_calls(live_db):
    """health_calls_today is every dial of the request zone's local day: whole UTC days and hours from
    the rollups, the partial hours of +05:45 or +12:45 zones from fct_calls, and the calls changed since
    the build as they stand (a new call, a caller ID changed, a call moved out of today, one blocked)."""
    with psycopg.connect(live_db, autocommit=True) as conn:
        # a dial every 75 minutes over the last 40 hours, 7 minutes past a quarter hour (no local midnight
        # of any zone is closer than 7 minutes), on four caller IDs
        base = conn.execute("select date_bin('15 minutes', now(), timestamptz '2000-01-01')").fetchone()[0]
        rows = [
            (
                99200 + k,
                43,
                base - timedelta(minutes=75 * k - 7),
                f"090000000{4 + k % 4}",
                ("connected", "no_answer")[k % 2],
            )
            for k in range(1, 33)
        ]
        with conn.cursor() as cur:
            cur.executemany(
                "insert into raw.calls (id, tenant_id, campaign_id, caller_id, started_at, result, updated_at)"
                " values (%s, 1, %s, %s, %s, %s, now() - interval '1 hour')",
                [(i, camp, cid, at, result) for i, camp, at, cid, result in rows],
            )
    build(live_db)
    for zone in TODAY_ZONES:
        got = {r["cid"]: r["health_calls_today"] for r in data("caller-id-health", {**DAY, "timezone": zone})}
        assert {cid: n for cid, n in got.items() if n} == today_reference(live_db, zone), zone
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute(
            "insert into raw.calls (id, tenant_id, campaign_id, caller_id, started_at, result, updated_at)"
            " values (99300, 1, 43, '0900000006', now() - interval '1 minute', 'no_answer', now())"
        )
        conn.execute("update raw.calls set caller_id = '0900000007', updated_at = now() where id = 99201")
        conn.execute(
            "update raw.calls set started_at = ((started_at at time zone 'UTC') - interval '3 days') at time zone 'UTC',"
            " updated_at = now() where id = 99202"
        )
        conn.execute("update raw.calls set result = 'blocked', updated_at = now() where id = 99203")
    for zone in TODAY_ZONES:
        got = {r["cid"]: r["health_calls_today"] for r in data("caller-id-health", {**DAY, "timezone": zone})}
        assert {cid: n for cid, n in got.items() if n} == today_reference(live_db, zone), zone


def test_abandon_rate_counts_raw_while_no_build_is_published(live_db):
    # no cutoff recorded (a first build that failed before publishing): raw alone, as it stands
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("delete from ops.warehouse_builds")
        conn.execute(
            "insert into raw.calls (id, tenant_id, campaign_id, started_at, answered_at, result, updated_at)"
            " values (99401, 1, 43, now() - interval '2 minutes', now() - interval '2 minutes', 'abandoned', now())"
        )
    body = data("abandon-rate", {"campaign_id": "43"})["current"]
    assert (body["attempts_total"], body["attempts_abandoned"]) == abandon_reference(live_db, 43, 43200) == (11, 2)


def test_lead_reports_follow_every_kind_of_change_on_the_next_request(live_db):
    """The funnel and lead-source attribution swap a changed lead whole only when they must (a changed
    call set one of its milestones as built, its creation, campaign or source changed, it has irregular
    calls or no built row); the other changed leads gain the stages their changed calls reach now. Each
    step below needs one of the two ways, and every report must equal the reference after each."""
    # LOCAL has no whole UTC days: the funnel reads fct_leads there, not the daily rollups
    shapes = [
        (DAY, START, END, {}),
        ({**DAY, "campaign_id": "43"}, START, END, {"campaign": 43}),
        (LOCAL, LOCAL_START, LOCAL_END, {}),
        ({**DAY, "agent_ids[]": "3"}, START, END, {"agents": (3,)}),
    ]
    insert = INSERT_DIAL
    steps = [
        # lead 2 (built: one abandoned call) gains every stage through a call in another campaign:
        # counted without a campaign filter, not with campaign 43
        (insert, (61, 44, 2, 3, "2026-06-01 11:00+00", "2026-06-01 11:00+00", "connected", 45, "sale")),
        # lead 3 (never dialed) is dialed by a call before its creation, inside the window
        (insert, (62, 43, 3, 3, "2026-06-01 07:30+00", None, "no_answer", 0, None)),
        # call 1 set lead 1's first dial, answer, disposition and conversion: re-dispositioned, the
        # lead is no longer converted (its other call, 8, is connected with an unknown code)
        ("update raw.calls set disposition_code = 'no_answer', updated_at = now() where id = 1", ()),
        # a second connected call on lead 2, in campaign 43: counted once, and now with campaign 43
        (insert, (63, 43, 2, 3, "2026-06-01 12:00+00", "2026-06-01 12:00+00", "connected", 50, "sale")),
        # call 8 (lead 1's talk over 30 s) moves to lead 4: lead 1 swapped, lead 4 gains talked
        ("update raw.calls set lead_id = 4, updated_at = now() where id = 8", ()),
        # lead 7 (irregular as built: dialed before its creation) is dialed again after it
        (insert, (64, 43, 7, 3, "2026-06-01 13:00+00", None, "no_answer", 0, None)),
        # lead 6 changes source, lead 7 (irregular) moves into campaign 44, lead 4 leaves the cohort
        ("update raw.leads set source = 'web', updated_at = now() where id = 6", ()),
        ("update raw.leads set campaign_id = 44, updated_at = now() where id = 7", ()),
        ("update raw.leads set created_at = '2026-05-31 08:00+00', updated_at = now() where id = 4", ()),
        # a call of the day ends up after the window: lead 2's conversion stays on call 63
        ("update raw.calls set started_at = '2026-06-02 11:00+00', updated_at = now() where id = 61", ()),
    ]
    follow_steps(live_db, steps, shapes, LEAD_REPORTS)


def test_attempts_follow_every_kind_of_change_on_the_next_request(live_db):
    """§6.3 live: a changed dial keeps its built number when nothing moved before it in its lead; a lead
    is renumbered only from the first place where its dials as built and now differ (a dial that came,
    left, moved in time or stopped being a dial), its dials before that place keeping their numbers.
    Each step below needs one of those ways, and the report must equal the reference after each."""
    shapes = [
        (DAY, START, END, {}),
        ({**DAY, "campaign_id": "43"}, START, END, {"campaign": 43}),
        ({**DAY, "agent_ids": "3,4"}, START, END, {"agents": (3, 4)}),
        ({**DAY, "team_id": "7"}, START, END, {"team": 7}),
        (LOCAL, LOCAL_START, LOCAL_END, {}),
    ]
    insert = INSERT_DIAL
    steps = [
        # lead 1 (built: call 1 at 09:00, call 8 at 10:15) gets a third dial after its last: appended
        (insert, (70, 43, 1, 3, "2026-06-01 11:00+00", "2026-06-01 11:00+00", "connected", 40, "sale")),
        # call 8 keeps its place (attempt 2) and changes disposition and agent: kept at its built number
        ("update raw.calls set disposition_code = 'sale', agent_id = 4, updated_at = now() where id = 8", ()),
        # call 1 keeps its place and changes its talk time ...
        ("update raw.calls set talk_sec = 20, updated_at = now() where id = 1", ()),
        # ... and a late call lands between calls 1 and 8: lead 1 renumbered from 09:30, call 1 stays 1
        (insert, (72, 43, 1, 3, "2026-06-01 09:30+00", None, "no_answer", 0, None)),
        # a late call before lead 1's first dial: every dial of the lead moves one up
        (insert, (71, 44, 1, 3, "2026-06-01 08:30+00", "2026-06-01 08:30+00", "connected", 35, "callback")),
        # a built dial in the middle stops being a dial, and an un-built one too
        ("update raw.calls set result = 'blocked', updated_at = now() where id in (8, 72)", ()),
        # a blocked call without a lead becomes a dial of lead 2, after its only built dial
        ("update raw.calls set lead_id = 2, result = 'no_answer', updated_at = now() where id = 6", ()),
        # call 4 moves from lead 4 (its only dial) to lead 2, between its dials
        ("update raw.calls set lead_id = 2, updated_at = now() where id = 4", ()),
        # call 3 loses its lead: lead 5 has no dial left
        ("update raw.calls set lead_id = null, updated_at = now() where id = 3", ()),
        # call 2 (lead 2's first) moves past call 4 in time
        ("update raw.calls set started_at = '2026-06-01 09:50+00', updated_at = now() where id = 2", ()),
        # lead 6's only call leaves the UTC day (it still numbers its lead)
        ("update raw.calls set started_at = '2026-06-02 01:00+00', updated_at = now() where id = 10", ()),
        # lead 3 (never dialed) gets eleven dials at once: attempts 1 to 9 and two in "10+" ...
        (
            "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, caller_id, started_at, answered_at,"
            " result, talk_sec, disposition_code, updated_at) select 80 + n, 1, 43, 3, 3, '0900000001',"
            " timestamptz '2026-06-01 12:00+00' + n * interval '1 minute', null, 'no_answer', 0, null, now()"
            " from generate_series(0, 10) as n",
            (),
        ),
        # ... and one more before them all: each of the eleven moves one up, the last stays in "10+"
        (insert, (79, 43, 3, 3, "2026-06-01 11:59+00", "2026-06-01 11:59+00", "connected", 50, "sale")),
    ]
    follow_steps(live_db, steps, shapes, [("attempts", "attempts")])


def test_attempts_with_compare_number_both_windows_as_they_stand(live_db):
    """§6.2 with §6.3 live: `compare` answers both windows from one statement (the changed dials' places
    worked out once, DECISIONLOG 105); changes that renumber a lead across the two windows must show in
    each exactly as the reference numbers raw as it stands."""
    insert = INSERT_DIAL
    steps = [
        # a late dial of lead 1 the day before: the previous day gains attempt 1, lead 1's dials today move up
        (insert, (73, 43, 1, 3, "2026-05-31 22:00+00", "2026-05-31 22:00+00", "connected", 40, "sale")),
        # call 2 (lead 2's first dial) moves to the previous day; lead 2 is renumbered in both windows
        ("update raw.calls set started_at = '2026-05-31 09:00+00', updated_at = now() where id = 2", ()),
        # lead 3 gets six dials the day before and five today: "10+" only today
        (
            "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, caller_id, started_at, answered_at,"
            " result, talk_sec, disposition_code, updated_at) select 90 + n, 1, 43, 3, 4, '0900000001',"
            " timestamptz '2026-05-31 20:00+00' + n * interval '1 hour', null, 'no_answer', 0, null, now()"
            " from generate_series(0, 10) as n",
            (),
        ),
    ]
    with psycopg.connect(live_db, autocommit=True) as conn:
        for statement, values in steps:
            conn.execute(statement, values or None)
    ref = Reference(load(live_db), 1)
    shapes = [
        (DAY, START, END, {}),
        ({**DAY, "agent_ids": "3,4"}, START, END, {"agents": (3, 4)}),
        ({**DAY, "team_id": "7"}, START, END, {"team": 7}),
        (LOCAL, LOCAL_START, LOCAL_END, {}),
    ]
    for params, start, end, filters in shapes:
        for compare in ("previous_period", "previous_year"):
            status, body = call("attempts", {**params, "compare": compare})
            assert status == 200, body
            prev_start, prev_end = comparison_window(start, end, compare)
            assert body["data"] == ref.attempts(start, end, **filters), (params, compare)
            assert body["previous"] == ref.attempts(prev_start, prev_end, **filters), (params, compare)
    # the late dials did land in the comparison window
    assert data("attempts", {"date_from": "2026-05-31", "date_to": "2026-05-31"}) != []


def test_lead_reports_with_compare_answer_both_windows_as_they_stand(live_db):
    """§6.2 with §6.1: the funnel and lead-source attribution with `compare` answer both windows from one
    statement, the changed leads classified once (DECISIONLOG 106). Changes that move leads and calls
    into the comparison windows must show in each window exactly as the reference reads raw as it
    stands, in every filter shape (the milestones, a team's milestones, agents' calls regrouped)."""
    insert = INSERT_DIAL
    new_lead = "insert into raw.leads values (%s, 1, %s, %s, %s, %s, now())"
    steps = [
        # lead 4 moves to the day before, and a call of lead 1 too (irregular there: before its creation)
        ("update raw.leads set created_at = '2026-05-31 08:00+00', updated_at = now() where id = 4", ()),
        ("update raw.calls set started_at = '2026-05-31 10:00+00', updated_at = now() where id = 8", ()),
        # a new lead of the day before, dialed, answered and converted by agent 3 of team 7
        (new_lead, (81, 43, "zalo", "0911000081", "2026-05-31 09:00+00")),
        (insert, (75, 43, 81, 3, "2026-05-31 09:30+00", "2026-05-31 09:30+00", "connected", 45, "sale")),
        # a new lead 52 weeks back with a call of agent 4, and another in campaign 44 with a call of agent 3
        (new_lead, (82, 43, "facebook", "0911000082", "2025-06-02 10:00+00")),
        (insert, (76, 43, 82, 4, "2025-06-02 10:05+00", "2025-06-02 10:05+00", "connected", 35, None)),
        (new_lead, (83, 44, "web", "0911000083", "2025-06-02 11:00+00")),
        (insert, (77, 44, 83, 3, "2025-06-02 11:05+00", None, "no_answer", 0, None)),
        # today: lead 2 gains every stage, lead 6 changes source
        (insert, (78, 43, 2, 3, "2026-06-01 11:00+00", "2026-06-01 11:00+00", "connected", 50, "sale")),
        ("update raw.leads set source = 'web', updated_at = now() where id = 6", ()),
    ]
    with psycopg.connect(live_db, autocommit=True) as conn:
        for statement, values in steps:
            conn.execute(statement, values)
    ref = Reference(load(live_db), 1)
    shapes = [
        (DAY, START, END, {}),
        ({**DAY, "campaign_id": "43"}, START, END, {"campaign": 43}),
        ({**DAY, "team_id": "7"}, START, END, {"team": 7}),
        ({**DAY, "agent_ids": "3,4"}, START, END, {"agents": (3, 4)}),
        (LOCAL, LOCAL_START, LOCAL_END, {}),
    ]
    for params, start, end, filters in shapes:
        for compare in ("previous_period", "previous_year"):
            prev_start, prev_end = comparison_window(start, end, compare)
            for report, method in LEAD_REPORTS:
                status, body = call(report, {**params, "compare": compare})
                assert status == 200, body
                assert body["data"] == getattr(ref, method)(start, end, **filters), (report, params, compare)
                expected = getattr(ref, method)(prev_start, prev_end, **filters)
                assert body["previous"] == expected, (report, params, compare)
    # the comparison windows do hold leads, other than the window's
    for compare in ("previous_period", "previous_year"):
        body = call("lead-source-attribution", {**DAY, "compare": compare})[1]
        assert body["previous"] and body["previous"] != body["data"]


def test_lead_reports_under_a_team_follow_every_kind_of_change_on_the_next_request(live_db):
    """Under a team filter the funnel and lead-source attribution classify a changed lead against its
    milestones for that team (fct_lead_teams), not its overall ones: a changed call that set the lead's
    milestones for the team swaps the lead whole even when an earlier call of another team set the
    lead's overall milestones; other changed leads gain the stages their changed calls in the team
    reach now. The report must equal the reference after each step."""
    shapes = [
        ({**DAY, "team_id": "7"}, START, END, {"team": 7}),
        ({**DAY, "team_id": "8"}, START, END, {"team": 8}),
        ({**DAY, "team_id": "7", "campaign_id": "43"}, START, END, {"team": 7, "campaign": 43}),
        ({**LOCAL, "team_id": "8"}, LOCAL_START, LOCAL_END, {"team": 8}),
        (DAY, START, END, {}),
    ]
    insert = INSERT_DIAL
    with psycopg.connect(live_db, autocommit=True) as conn:
        # lead 1's calls as built: call 1 (agent 3, team 7) at 09:00 sets every overall milestone; call 65
        # (agent 4, no team on the call: the agent's team 8) at 10:30 sets each of its team-8 milestones
        conn.execute(insert, (65, 43, 1, 4, "2026-06-01 10:30+00", "2026-06-01 10:30+00", "connected", 45, "sale"))
    build(live_db)
    db.reset(api_url(live_db))
    steps = [
        # call 65 is no longer answered: lead 1 leaves every team-8 stage but the dial
        (
            "update raw.calls set result = 'no_answer', talk_sec = 0, disposition_code = null, answered_at = null,"
            " updated_at = now() where id = 65",
            (),
        ),
        # lead 2 (no team-8 call as built) gains team 8's stages through a new call of agent 4
        (insert, (66, 43, 2, 4, "2026-06-01 12:00+00", "2026-06-01 12:00+00", "connected", 40, "sale")),
        # call 8 (agent 5, no team) joins team 7: lead 1 reached team 7's stages earlier, through call 1
        ("update raw.calls set team_id = 7, updated_at = now() where id = 8", ()),
        # call 1, which set lead 1's team-7 milestones, moves to team 8: team 7 keeps only call 8's stages
        ("update raw.calls set team_id = 8, updated_at = now() where id = 1", ()),
        # lead 4 is dialed by team 7 for the first time
        (insert, (67, 43, 4, 3, "2026-06-01 12:30+00", None, "no_answer", 0, None)),
    ]
    follow_steps(live_db, steps, shapes, LEAD_REPORTS)


def test_lead_reports_keep_a_leads_stages_from_before_its_creation_until_a_changed_call_moves_them(live_db):
    """A lead called before its creation (lead 7: call 5 at 09:30, created 09:40) reached a stage in a
    window through its last call before creation at or after the window's start, or its first call after
    creation before the window's end (DECISIONLOG 113). Changed calls that are neither keep those columns
    and only add stages; a changed call that was one of them swaps the lead whole, and so does a call in
    another campaign as built under a campaign filter (the columns count it, the filter does not). Every
    report must equal the reference after each step, with and without a campaign or a team."""
    shapes = [
        (DAY, START, END, {}),
        ({**DAY, "campaign_id": "43"}, START, END, {"campaign": 43}),
        ({**DAY, "campaign_id": "44"}, START, END, {"campaign": 44}),
        (LOCAL, LOCAL_START, LOCAL_END, {}),
        ({**DAY, "team_id": "8"}, START, END, {"team": 8}),
    ]
    insert = INSERT_DIAL
    with psycopg.connect(live_db, autocommit=True) as conn:
        # lead 4 is answered in campaign 44, not its own (43), as built: its columns count that call;
        # lead 3 (created at 08:00) is dialed and disposed at 07:00 only
        conn.execute(insert, (71, 44, 4, 4, "2026-06-01 10:30+00", "2026-06-01 10:30+00", "connected", 45, "sale"))
        conn.execute(insert, (75, 43, 3, 3, "2026-06-01 07:00+00", None, "no_answer", 0, "callback"))
    build(live_db)
    db.reset(api_url(live_db))
    steps = [
        # another call before lead 3's creation: it was dialed and disposed already, not twice
        (insert, (76, 43, 3, 4, "2026-06-01 07:30+00", None, "no_answer", 0, "callback")),
        # call 5, lead 7's only dial and the one before its creation that made it dialed, moves to the
        # day before: lead 7 is no longer dialed that day
        ("update raw.calls set started_at = '2026-05-31 09:30+00', updated_at = now() where id = 5", ()),
        # a new call before its creation, in the window and disposed: dialed and disposed again
        (insert, (72, 43, 7, 4, "2026-06-01 09:35+00", None, "no_answer", 0, "callback")),
        # lead 4 is answered in its own campaign: with campaign 43 it is connected now, although its
        # columns (from call 71, in campaign 44) say it was connected earlier
        (insert, (73, 43, 4, 3, "2026-06-01 11:00+00", "2026-06-01 11:00+00", "connected", 20, None)),
        # lead 7 is answered after its creation: it gains the stages it had not reached
        (insert, (74, 43, 7, 3, "2026-06-01 12:00+00", "2026-06-01 12:00+00", "connected", 40, "sale")),
        # call 72, the last call before creation, is no longer disposed; call 74 still disposes lead 7
        ("update raw.calls set disposition_code = null, updated_at = now() where id = 72", ()),
    ]
    follow_steps(live_db, steps, shapes, LEAD_REPORTS)


def test_the_live_ids_bind_as_one_bigint_array_equal_to_the_list(server_url):
    """live_params binds thousands of ids as IdArray (one `bigint[]` text literal, not psycopg's
    element-by-element list adapter): the server must receive exactly the list, of type bigint[]."""
    cases = [
        IdArray(),
        IdArray([7]),
        IdArray([-9223372036854775808, 0, 42, 9223372036854775807]),
        IdArray(range(6_000_000, 6_003_000)),
    ]
    with psycopg.connect(server_url) as conn:
        assert conn.adapters.get_dumper(IdArray, PyFormat.AUTO) is IdArrayDumper
        for ids in cases:
            got, kind = conn.execute("select %s, pg_typeof(%s)::text", [ids, ids]).fetchone()
            assert (got, kind) == (list(ids), "bigint[]")


def test_lead_reports_under_agents_follow_every_kind_of_change_on_the_next_request(live_db):
    """Under agent filters the funnel and lead-source attribution group the cohort's calls per lead as
    they stand: the built calls of a lead without a changed call (but its changed calls as built), a lead
    with a changed call regrouped from its unchanged built calls and its changed calls now, and only a lead
    whose own row changed, or that has no built row, read whole from raw (DECISIONLOG 85). The report must
    equal the reference after each step, with agents alone, with a campaign and with a team."""
    shapes = [
        ({**DAY, "agent_ids[]": "3"}, START, END, {"agents": (3,)}),
        ({**DAY, "agent_ids": "3,4"}, START, END, {"agents": (3, 4)}),
        ({**DAY, "agent_ids": "3,4", "campaign_id": "43"}, START, END, {"agents": (3, 4), "campaign": 43}),
        ({**DAY, "agent_ids": "3,4", "team_id": "7"}, START, END, {"agents": (3, 4), "team": 7}),
        ({**LOCAL, "agent_ids": "4,5"}, LOCAL_START, LOCAL_END, {"agents": (4, 5)}),
    ]
    insert = INSERT_DIAL
    steps = [
        # lead 2 gains every stage through agent 3's call in another campaign (not with campaign 43)
        (insert, (71, 44, 2, 3, "2026-06-01 11:00+00", "2026-06-01 11:00+00", "connected", 45, "sale")),
        # call 1 (agent 3, lead 1's only agent-3 call) goes to agent 4: lead 1 leaves agent 3's stages
        ("update raw.calls set agent_id = 4, updated_at = now() where id = 1", ()),
        # call 8 (lead 1) moves to lead 3, which had no call: lead 1 keeps what its other calls reach
        ("update raw.calls set lead_id = 3, updated_at = now() where id = 8", ()),
        # a second answered call of agent 4 on lead 2: counted once
        (insert, (72, 43, 2, 4, "2026-06-01 12:00+00", "2026-06-01 12:00+00", "connected", 20, None)),
        # a lead created a second ago (its row is new) with a call of agent 3
        ("insert into raw.leads values (80, 1, 43, 'zalo', '0911000080', '2026-06-01 10:00+00', now())", ()),
        (insert, (73, 43, 80, 3, "2026-06-01 10:05+00", "2026-06-01 10:05+00", "connected", 35, "sale")),
        # a call of agent 4 on lead 7 (irregular as built: dialed before its creation)
        (insert, (74, 43, 7, 4, "2026-06-01 13:00+00", None, "no_answer", 0, None)),
        # lead 6 changes source and lead 4 leaves the cohort (their rows changed: read whole)
        ("update raw.leads set source = 'web', updated_at = now() where id = 6", ()),
        ("update raw.leads set created_at = '2026-05-31 08:00+00', updated_at = now() where id = 4", ()),
        # agent 3's call on lead 2 leaves the window: lead 2 keeps agent 4's stages only
        ("update raw.calls set started_at = '2026-06-02 11:00+00', updated_at = now() where id = 71", ()),
    ]
    follow_steps(live_db, steps, shapes, LEAD_REPORTS)


def test_attempts_of_a_long_lead_follow_changes_far_from_its_tail(live_db):
    """§6.3 live, a lead with more built dials than attempt items: of its tail only the built dials up to
    number 9 + its changed built dials are re-read, with its changed built dials past them (DECISIONLOG
    86). Renumbering moves dials across the "10+" boundary both ways; a changed dial far past the cut
    (re-dispositioned, moved in time, out of the window, blocked) must still move. The report must equal
    the reference after each step."""
    shapes = [
        (DAY, START, END, {}),
        ({**DAY, "campaign_id": "43"}, START, END, {"campaign": 43}),
        ({**DAY, "agent_ids[]": "3"}, START, END, {"agents": (3,)}),
        ({**DAY, "agent_ids": "3,4"}, START, END, {"agents": (3, 4)}),
        (LOCAL, LOCAL_START, LOCAL_END, {}),
    ]
    with psycopg.connect(live_db, autocommit=True) as conn:
        # lead 3 (never dialed) gets 14 dials, ids 600-613 at 12:00 + n minutes: agents 3 and 4 in turn,
        # every third answered and converted; replicated 10 minutes ago, so that after the build they are
        # older than the live allowance (300 s) and stand as built
        conn.execute(
            "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, caller_id, started_at,"
            " answered_at, result, talk_sec, disposition_code, updated_at)"
            " select 600 + n, 1, 43, 3, 3 + n % 2, '0900000001', timestamptz '2026-06-01 12:00+00' + n * interval"
            " '1 minute', case when n % 3 = 0 then timestamptz '2026-06-01 12:00+00' + n * interval '1 minute' end,"
            " case when n % 3 = 0 then 'connected' else 'no_answer' end, case when n % 3 = 0 then 40 + n else 0 end,"
            " case when n % 3 = 0 then 'sale' end, now() - interval '10 minutes' from generate_series(0, 13) as n"
        )
    build(live_db)
    db.reset(api_url(live_db))
    insert = (
        "insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, caller_id, started_at, answered_at,"
        " result, talk_sec, disposition_code, updated_at) values (%s, 1, 43, 3, 3, '0900000001', %s, %s, %s, %s,"
        " %s, now())"
    )
    steps = [
        # a late dial before them all: every dial moves one up (attempt 9 into "10+")
        (insert, (620, "2026-06-01 11:30+00", "2026-06-01 11:30+00", "connected", 50, "sale")),
        # dial 612 (built attempt 13, far past the cut) is re-dispositioned and reassigned in place
        (
            "update raw.calls set result = 'connected', answered_at = started_at, talk_sec = 33,"
            " disposition_code = 'callback', agent_id = 3, updated_at = now() where id = 612",
            (),
        ),
        # dial 601 (built attempt 2) moves to lead 2: the dials after it move one down
        ("update raw.calls set lead_id = 2, updated_at = now() where id = 601", ()),
        # dial 613 (built attempt 14) moves in time before them all
        ("update raw.calls set started_at = '2026-06-01 11:00+00', updated_at = now() where id = 613", ()),
        # two dials in the middle stop being dials: attempts 10 and 11 come back under "10+"
        ("update raw.calls set result = 'blocked', updated_at = now() where id in (605, 606)", ()),
        # dial 611 leaves the UTC day (it still numbers its lead) and dial 610 leaves lead 3
        ("update raw.calls set started_at = '2026-06-02 01:00+00', updated_at = now() where id = 611", ()),
        ("update raw.calls set lead_id = 1, updated_at = now() where id = 610", ()),
    ]
    follow_steps(live_db, steps, shapes, [("attempts", "attempts")])


def test_a_request_reads_raw_at_one_moment_even_when_a_call_moves_during_it(live_db, monkeypatch):
    """DECISIONLOG 95: a lead report reads the rows changed since the build in one statement and
    answers in the next; a call moved to another lead between the two must not count for both leads
    (nor for neither). Every statement of a request reads one snapshot (REPEATABLE READ), so the answer
    is raw as it stood when the request began."""
    with psycopg.connect(live_db, autocommit=True) as conn:
        # lead 3 (in the cohort, never dialed) changed its source since the build: the funnel reads it
        # whole, as it stands (its calls included)
        conn.execute("update raw.leads set source = 'referral', updated_at = now() where id = 3")
    before = Reference(load(live_db), 1)
    original = live.live_params

    def live_params_then_a_move(conn, tenant_id, leads=False):
        params = original(conn, tenant_id, leads)
        with psycopg.connect(live_db, autocommit=True) as other:
            # call 8 (lead 1, which call 1 keeps dialed) is replicated onto lead 3 meanwhile
            other.execute("update raw.calls set lead_id = 3, updated_at = now() where id = 8")
        return params

    monkeypatch.setattr(live, "live_params", live_params_then_a_move)
    assert data("funnel", DAY) == before.funnel(START, END)
    monkeypatch.undo()
    # the next request sees the move
    after = Reference(load(live_db), 1)
    assert after.funnel(START, END) != before.funnel(START, END)
    assert data("funnel", DAY) == after.funnel(START, END)


def test_rows_the_marts_hold_as_they_stand_are_not_folded_in_again(live_db):
    """DECISIONLOG 98: within the replication allowance before the cutoff, a call or lead the published
    build read as it stands now (its fact row has the same updated_at) is left out of the live delta;
    one changed since the publish, or committed late with another updated_at, is folded in; every
    report still equals the reference on raw as it stands."""
    with psycopg.connect(live_db, autocommit=True) as conn:
        # calls 1-3 and leads 1-2 replicated a minute ago, then built: inside the allowance, held as they are
        conn.execute("update raw.calls set updated_at = now() - interval '1 minute' where id in (1, 2, 3)")
        conn.execute("update raw.leads set updated_at = now() - interval '1 minute' where id in (1, 2)")
    build(live_db)
    with psycopg.connect(live_db, autocommit=True) as conn:
        cutoff = conn.execute("select max(cutoff_at) from ops.warehouse_builds").fetchone()[0]
        conn.execute("update raw.calls set talk_sec = talk_sec + 7, updated_at = now() where id = 2")
        # committed late: stamped before the cutoff, but not what the build stored
        conn.execute(
            "update raw.calls set result = 'no_answer', answered_at = null, talk_sec = 0, updated_at = %s where id = 3",
            (cutoff - timedelta(seconds=30),),
        )
        conn.execute("update raw.leads set source = 'referral', updated_at = %s where id = 2", (cutoff,))
    with psycopg.connect(live_db, row_factory=dict_row) as conn:
        params = live.live_params(conn, 1, leads=True)
    assert params["live_since"] <= cutoff - timedelta(minutes=1)  # calls 1 and 3 are inside the allowance
    assert 1 not in params["live_call_ids"] and {2, 3} <= set(params["live_call_ids"])
    assert 1 not in params["live_changed_lead_ids"] and 2 in params["live_changed_lead_ids"]
    ref = Reference(load(live_db), 1)
    assert data("dashboard", DAY) == ref.dashboard(START, END)
    assert data("agent-performance", DAY) == ref.agent_performance(START, END)
    assert data("funnel", DAY) == ref.funnel(START, END)
    assert data("lead-source-attribution", DAY) == ref.lead_source_attribution(START, END)
    assert data("attempts", DAY) == ref.attempts(START, END)
