"""Schedules that survive faults (the 15-minute dbt build, the 5-minute abandon-rate snapshot).

- two builds never run at once (advisory lock; the second one is refused at once, not queued);
- a failing build leaves the last good marts in place, readable, with the same numbers;
- a build killed half-way leaves the API serving the last good numbers, and the next build succeeds;
- a build writes a copy of the marts and publishes it whole, or not at all (write-audit-publish);
- the snapshot job writes one row per active campaign per 5-minute slot, whatever the retries.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from telesales_build.dbt_runner import BUILD_LOCK_KEY, BuildFailed, BuildLocked, build, run_dbt
from telesales_build.warehouse_state import BUILDING, prepare_building_copy
from telesales_reports.db import connection as db
from telesales_reports.jobs.abandon_snapshot import take_snapshot
from tests.contract_data import NOW, contract_rows
from tests.support import Raw, data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
CLI = [sys.executable, "-m", "telesales_dev.cli"]

# The build lock as pg_locks shows it (an int8 advisory lock: the low 32 bits are in objid).
HELD_BUILD_LOCK = """
select count(*) from pg_locks
where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
    and objid = (hashtext(%s)::bigint & 4294967295)::oid
"""


@pytest.fixture(scope="module")
def sched_db(fresh_database) -> str:
    from telesales_build.bootstrap import ensure_schema

    url = fresh_database("schedules")
    ensure_schema(url)
    contract_rows().load(url)
    build(url)
    return url


def figures(url: str) -> dict:
    """What a client sees: fact counts per tenant and the dashboard of both tenants through the API."""
    with psycopg.connect(url) as conn:
        counts = dict(conn.execute("select tenant_id, count(*) from marts.fct_calls group by 1").fetchall())
        rollup = conn.execute(
            "select sum(dials), sum(talk_sec) from marts.agg_calls_campaign_agent_team_daily"
        ).fetchone()
    db.reset(url)
    return {
        "fct_calls": counts,
        "agg_calls_campaign_agent_team_daily": rollup,
        "dashboard": {tenant: data("dashboard", DAY, tenant=tenant) for tenant in (1, 2)},
        "agents": data("agent-performance", DAY, tenant=1),
    }


def mart_oids(url: str, schema: str = "marts") -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("select relname, oid from pg_class where relnamespace = %s::regnamespace", (schema,)))


def other_backends(url: str) -> list[tuple]:
    """Sessions on the database other than this one and the API's own connection."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select pid, application_name, state, left(query, 80) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
            " and application_name <> 'telesales-reports-api'"
        ).fetchall()


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------------
# One build at a time


def test_a_build_is_refused_at_once_while_another_holds_the_lock(sched_db):
    with psycopg.connect(sched_db, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(hashtext(%s))", (BUILD_LOCK_KEY,))
        started = time.monotonic()
        with pytest.raises(BuildLocked, match="another dbt build is running"):
            build(sched_db)
        assert time.monotonic() - started < 5  # refused, not queued behind the running build
        # the scheduled task (the CLI) exits 3 "build skipped", distinct from a failure (1)
        env = {**os.environ, "DATABASE_URL": sched_db}
        cli = subprocess.run([*CLI, "build"], env=env, capture_output=True, text=True, timeout=120)
        assert cli.returncode == 3, cli.stderr
        assert "build skipped" in cli.stderr
        holder.execute("select pg_advisory_unlock(hashtext(%s))", (BUILD_LOCK_KEY,))
    result = build(sched_db)
    assert result.nodes and not result.errors


def test_a_second_build_during_a_build_is_refused(sched_db):
    outcome: dict = {}

    def first() -> None:
        try:
            outcome["result"] = build(sched_db, full_refresh=True)
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc

    worker = threading.Thread(target=first)
    worker.start()
    try:
        with psycopg.connect(sched_db, autocommit=True) as watcher:
            wait_for(
                lambda: watcher.execute(HELD_BUILD_LOCK, (BUILD_LOCK_KEY,)).fetchone()[0] == 1 or not worker.is_alive(),
                60,
                "the first build to take the lock",
            )
        assert worker.is_alive(), outcome
        with pytest.raises(BuildLocked):
            build(sched_db)
    finally:
        worker.join(300)
    assert "error" not in outcome, outcome.get("error")
    assert not outcome["result"].errors


# ---------------------------------------------------------------------------------------------------
# A failing build


def test_a_failed_build_leaves_the_previous_marts_intact(sched_db):
    before = figures(sched_db)
    # New tenant-2 calls on the reported day, replicated now: a good build would change the numbers.
    raw = Raw()
    for i in range(5):
        raw.call(
            2,
            90,
            f"2026-06-01 11:0{i}",
            "connected",
            id=7000 + i,
            agent_id=50,
            team_id=70,
            talk_sec=60,
            updated_at=datetime.now(UTC),
        )
    raw.load(sched_db, truncate=False)

    # The reports answer live: the new calls count at once, before any build.
    live = figures(sched_db)
    assert live["fct_calls"] == before["fct_calls"]
    assert live["dashboard"][2]["total_dials"] == before["dashboard"][2]["total_dials"] + 5

    # A bad variable makes the incremental facts' SQL fail (the look-back is not a number): dbt stops
    # them and skips everything downstream, in the building copy (as the build command runs it).
    prepare_building_copy(sched_db)
    with pytest.raises(BuildFailed, match="DBT BUILD FAILED") as info:
        run_dbt(
            ["build", "--vars", f'{{"incremental_lookback_hours": "oops", "marts_schema": "{BUILDING}"}}'],
            url=sched_db,
        )
    assert "fct_calls" in str(info.value)

    assert figures(sched_db) == live  # same numbers, every mart still readable

    build(sched_db)  # the next good build catches up
    after = figures(sched_db)
    assert after["fct_calls"][2] == before["fct_calls"][2] + 5
    assert after["fct_calls"][1] == before["fct_calls"][1]
    assert after["dashboard"] == live["dashboard"]


# ---------------------------------------------------------------------------------------------------
# A build killed half-way


def test_a_build_killed_half_way_leaves_the_last_good_numbers(sched_db):
    """Builds write the building copy (marts_next) and publish it only once it passed its tests: a build
    killed while dbt re-creates that copy never touches the served marts."""
    prepare_building_copy(sched_db)
    before = figures(sched_db)
    served_before = mart_oids(sched_db)
    building_before = mart_oids(sched_db, BUILDING)
    env = {**os.environ, "DATABASE_URL": sched_db}
    process = subprocess.Popen(
        [*CLI, "build", "--full-refresh"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:

        def half_way() -> bool:
            building = mart_oids(sched_db, BUILDING)
            rebuilt = sum(1 for name, oid in building.items() if building_before.get(name) != oid)
            return rebuilt >= 3 or process.poll() is not None

        wait_for(half_way, 120, "the full refresh to re-create some marts of the building copy")
        assert process.poll() is None, "the build ended before it could be killed"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert process.returncode == -signal.SIGKILL

    # The killed build's sessions end (its open transaction rolls back); nothing is left locked.
    wait_for(lambda: not other_backends(sched_db), 60, "the killed build's sessions to end")
    assert mart_oids(sched_db) == served_before  # the served marts were never touched
    assert figures(sched_db) == before

    build(sched_db)  # not BuildLocked: the lock died with the killed session
    assert figures(sched_db) == before
    with psycopg.connect(sched_db) as conn:
        leftovers = conn.execute(
            "select relname from pg_class where relnamespace in ('marts'::regnamespace, 'marts_next'::regnamespace)"
            " and relname like '%%!_!_dbt!_%%' escape '!'"
        ).fetchall()
    assert leftovers == []


# ---------------------------------------------------------------------------------------------------
# The abandon-rate snapshot job


def test_the_snapshot_is_written_once_per_five_minute_slot(sched_db, caplog):
    caplog.set_level(logging.WARNING)
    db.reset(sched_db)
    with psycopg.connect(sched_db, autocommit=True) as conn:
        conn.execute("delete from ops.abandon_rate_snapshots")
    slot = NOW.replace(minute=NOW.minute - NOW.minute % 5, second=0)
    first_at, retry_at, next_at = (
        slot + timedelta(minutes=1),
        slot + timedelta(minutes=4, seconds=59),
        slot + timedelta(minutes=5),
    )

    def rows() -> list[tuple]:
        with psycopg.connect(sched_db) as conn:
            return conn.execute(
                "select slot_at, campaign_id, is_breached from ops.abandon_rate_snapshots order by 1, 2"
            ).fetchall()

    first = take_snapshot(first_at)
    assert first["written"] == 3  # the active campaigns: 43 and 45 (tenant 1), 90 (tenant 2); 44 is paused
    assert first["breaches"] >= 1
    assert [r[:2] for r in rows()] == [(slot, 43), (slot, 45), (slot, 90)]

    retry = take_snapshot(retry_at)  # the scheduler retries, or fires twice: same slot, nothing new
    assert (retry["written"], retry["breaches"]) == (0, 0)
    assert len(rows()) == 3

    later = take_snapshot(next_at)
    assert later["written"] == 3 and later["breaches"] == first["breaches"]
    recorded = rows()
    assert len(recorded) == 6 and {r[0] for r in recorded} == {slot, slot + timedelta(minutes=5)}

    # campaign 43: 1 abandoned of 10 answered in the last 30 days, 10 % > 3 %
    assert [r[0] for r in recorded if r[1] == 43 and r[2]] == [slot, slot + timedelta(minutes=5)]
    breaches = [r for r in caplog.records if r.getMessage() == "abandon_rate_breach"]
    assert len(breaches) == first["breaches"] + later["breaches"]
    assert {(r.tenant_id, r.campaign_id) for r in breaches} >= {(1, 43)}
    assert all(r.levelno == logging.WARNING for r in breaches)

    # the API lists the recorded breaches, newest first
    listed = data("abandon-rate", {"campaign_id": "43"}, tenant=1)["breaches"]
    assert [b["snapshot_at"] for b in listed] == [
        next_at.strftime("%Y-%m-%d %H:%M:%S"),
        first_at.strftime("%Y-%m-%d %H:%M:%S"),
    ]
    assert listed[0]["attempts_total"] == 10 and listed[0]["attempts_abandoned"] == 1
