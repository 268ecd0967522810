"""Incremental dbt runs: late dispositions, re-flagged codes and new calls show up after the next
build, and an incremental run gives exactly the numbers of a full rebuild."""

from __future__ import annotations

import psycopg
import pytest

from telesales_build.bootstrap import ensure_schema
from telesales_reports.db import connection as db
from tests.contract_data import contract_rows
from tests.support import build_db, data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
REPORTS = [
    "dashboard", "agent-performance", "disposition-breakdown", "funnel", "caller-id-health", "hour-dow-heatmap",
    "lead-source-attribution", "time-series",
]  # fmt: skip


def all_reports() -> dict:
    out = {}
    for report in REPORTS:
        for params in (
            DAY,
            {**DAY, "timezone": "Asia/Kathmandu"},
            {**DAY, "campaign_id": "43", "team_id": "7"},
            {**DAY, "agent_ids[]": "5"},
        ):
            out[(report, tuple(params.items()))] = data(report, params)
    return out


def test_incremental_run_matches_full_rebuild(fresh_database):
    url = fresh_database("incremental")
    ensure_schema(url)
    rows = contract_rows()
    # a call whose lead is replicated only after the first build
    rows.call(1, 43, "2026-06-01 12:00", "connected", id=51, agent_id=5, lead_id=951, talk_sec=40)
    rows.load(url)
    build_db(url)
    assert dict((s["stage"], s["count"]) for s in data("funnel", {**DAY, "agent_ids[]": "5"}))["Dialed"] == 1
    before = data("dashboard", DAY)
    assert before["total_conversions"] == 2

    with psycopg.connect(url, autocommit=True) as conn:
        # Given: wrap-up sets a conversion code on call 9 minutes after the first build
        conn.execute("update raw.calls set disposition_code = 'sale', updated_at = now() where id = 9")
        # and a call arrives late, replicated with an updated_at one hour older than the newest row
        # (insert ... select: Citus, where this suite also runs, takes no subquery inside values)
        conn.execute(
            """insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id, started_at,
                   answered_at, result, talk_sec, disposition_code, updated_at)
               select 50, 1, 43, 3, 5, null, '0900000001', '2026-06-01 11:00+00', '2026-06-01 11:00+00',
                   'connected', 45, 'callback', max(updated_at) - interval '1 hour'
               from raw.calls"""
        )
        # and the tenant re-flags "callback" as a conversion code (no call row changes)
        conn.execute("update raw.dispositions set is_conversion = true where tenant_id = 1 and code = 'callback'")
        # and agent 5 joins team 8
        conn.execute("update raw.users set team_id = 8, updated_at = now() where id = 5")
        # and the lead of call 51 arrives
        conn.execute(
            """insert into raw.leads (id, tenant_id, campaign_id, source, phone, created_at, updated_at)
               values (951, 1, 43, 'late', '0900000000', '2026-06-01 11:00+00', now())"""
        )

    # When: the next (incremental) build runs
    build_db(url)
    after = data("dashboard", DAY)
    # Then: call 9 (sale) and call 50 (callback, now a conversion code) are conversions
    assert after["total_dials"] == before["total_dials"] + 1
    # the late lead joined the cohort, and its earlier call now counts for it (calls re-read the lead)
    agent5 = dict((s["stage"], s["count"]) for s in data("funnel", {**DAY, "agent_ids[]": "5"}))
    assert (agent5["Total leads"], agent5["Dialed"]) == (7, 3)  # leads 1, 3 (call 50) and 951 (call 51)
    assert after["total_conversions"] == 4
    assert data("dashboard", {**DAY, "team_id": "8"})["total_dials"] == 2 + 3  # agent 5 calls 8, 50 and 51
    funnel = dict((s["stage"], s["count"]) for s in data("funnel", DAY))
    # lead 3 got its first call (call 50), a conversion now that "callback" is a conversion code;
    # lead 951 arrived with its call 51
    assert funnel["Total leads"] == 7 and funnel["Converted"] == 3 and funnel["Dialed"] == 7
    incremental = all_reports()

    # And: a full rebuild gives the same numbers
    build_db(url, full_refresh=True)
    assert all_reports() == incremental
    db.reset(None)


def test_a_conversion_code_unflagged_or_deleted_reaches_every_stored_call(fresh_database):
    """fct_calls finds the codes whose stored conversion flag disagrees with the tenant's list before
    its incremental SQL runs (reflagged_disposition_codes): a code flipped to false, and conversion
    codes deleted from the list, in two tenants (the stored codes are enumerated tenant by tenant,
    stepping over each tenant's calls without a code), one of them with a quote in it."""
    url = fresh_database("reflagged")
    ensure_schema(url)
    rows = contract_rows()
    rows.disposition(1, "o'k", "Okay", "contact", "#10B981", conv=True)
    rows.call(1, 43, "2026-06-01 12:00", "connected", id=61, agent_id=5, lead_id=1, talk_sec=40, disposition_code="o'k")
    rows.disposition(2, "win", "Win", "contact", "#10B981", conv=True)
    rows.call(
        2, 90, "2026-06-01 12:00", "connected", id=962, agent_id=50, lead_id=900, talk_sec=40, disposition_code="win"
    )
    rows.load(url)
    build_db(url)
    assert data("dashboard", DAY)["total_conversions"] == 3  # two "sale" calls and the "o'k" one
    assert data("dashboard", DAY, tenant=2)["total_conversions"] == 1  # "win" ("sale" is none there)

    with psycopg.connect(url, autocommit=True) as conn:
        # Given: tenant 1 no longer counts "sale", and deletes "o'k"; tenant 2 deletes "win"
        conn.execute("update raw.dispositions set is_conversion = false where tenant_id = 1 and code = 'sale'")
        conn.execute("delete from raw.dispositions where (tenant_id, code) in ((1, 'o''k'), (2, 'win'))")

    # When: the next (incremental) build runs (no call row changed)
    build_db(url)

    # Then: no stored call keeps the old flag, and no report counts those conversions
    with psycopg.connect(url, autocommit=True) as conn:
        stale = conn.execute(
            "select count(*) from marts.fct_calls where has_conversion_code or is_conversion"
        ).fetchone()[0]
    assert stale == 0
    assert data("dashboard", DAY)["total_conversions"] == 0
    assert data("dashboard", DAY, tenant=2)["total_conversions"] == 0
    incremental = all_reports()
    build_db(url, full_refresh=True)
    assert all_reports() == incremental
    db.reset(None)


def test_a_code_added_to_or_deleted_from_the_list_reclassifies_its_stored_calls(fresh_database):
    """A call built with a code its tenant did not define yet is stored as unknown; once the list gains
    the code (the disposition row replicated after the calls), the next incremental run stores it as
    known, a conversion if the code is one. A non-conversion code deleted from the list turns its calls
    unknown. No call row changes, so only reflagged_disposition_codes can find them; the stored flags
    then equal a full refresh's."""
    url = fresh_database("reclassified")
    ensure_schema(url)
    rows = contract_rows()
    rows.call(
        1, 43, "2026-06-01 12:00", "connected", id=71, agent_id=5, lead_id=1, talk_sec=40, disposition_code="later"
    )
    rows.call(1, 43, "2026-06-01 12:05", "connected", id=72, agent_id=5, lead_id=2, talk_sec=40, disposition_code="won")
    rows.load(url)
    build_db(url)

    def flags() -> dict[int, tuple[bool, bool, bool]]:
        with psycopg.connect(url) as conn:
            found = conn.execute(
                """select call_id, has_unknown_disposition, has_conversion_code, is_conversion
                   from marts.fct_calls where disposition_code is not null"""
            ).fetchall()
        return {row[0]: row[1:] for row in found}

    built = flags()
    assert built[71] == built[72] == (True, False, False)
    known = [call_id for call_id, kept in built.items() if not kept[0]]
    assert known  # the contract data's calls with a listed code

    with psycopg.connect(url, autocommit=True) as conn:
        # Given: the list gains "later" (no conversion) and "won" (a conversion); "callback" is deleted
        conn.execute(
            """insert into raw.dispositions (tenant_id, code, label, category, color, is_conversion)
               values (1, 'later', 'Later', 'callback', '#F59E0B', false),
                      (1, 'won', 'Won', 'contact', '#10B981', true)"""
        )
        conn.execute("delete from raw.dispositions where tenant_id = 1 and code = 'callback'")
        expected_unknown = {
            row[0]
            for row in conn.execute(
                """select id from raw.calls as calls
                   where disposition_code is not null and not exists (
                       select from raw.dispositions as listed
                       where listed.tenant_id = calls.tenant_id and listed.code = calls.disposition_code)"""
            ).fetchall()
        }
        deleted = {
            row[0]
            for row in conn.execute("select id from raw.calls where tenant_id = 1 and disposition_code = 'callback'")
        }
    assert deleted and deleted <= expected_unknown and not expected_unknown & {71, 72}

    # When: the next (incremental) build runs
    build_db(url)

    # Then: every stored call has its code's current classification
    incremental = flags()
    assert incremental[71] == (False, False, False)
    assert incremental[72] == (False, True, True)
    assert {call_id for call_id, kept in incremental.items() if kept[0]} == expected_unknown
    assert data("dashboard", DAY)["total_conversions"] == 3  # two "sale" calls and "won"
    reports = all_reports()
    build_db(url, full_refresh=True)
    assert flags() == incremental
    assert all_reports() == reports
    db.reset(None)


def test_reloaded_raw_data_is_never_served_stale(fresh_database):
    """Raw tables truncated and reloaded (or rows replicated late with an old updated_at): the next
    build notices the facts are out of step and rebuilds them in full."""
    from telesales_build.dbt_runner import build

    url = fresh_database("reload")
    ensure_schema(url)
    contract_rows().load(url)
    build_db(url)
    assert data("dashboard", DAY)["total_dials"] == 8
    # When: the raw data is replaced by a smaller dataset whose rows are all dated in the past
    rows = contract_rows()
    rows.rows["calls"] = [c for c in rows.rows["calls"] if c["id"] not in (1, 2, 3)]
    rows.load(url)  # truncates first
    result = build(url)
    db.reset(url)
    # Then: the stale calls are gone, exactly as after a full rebuild
    assert result.full_refresh_fallback
    assert data("dashboard", DAY)["total_dials"] == 5
    reloaded = all_reports()
    build_db(url, full_refresh=True)
    assert all_reports() == reloaded
    db.reset(None)


def test_an_ordinary_incremental_run_does_not_fall_back(fresh_database):
    from telesales_build.dbt_runner import build

    url = fresh_database("nofallback")
    ensure_schema(url)
    contract_rows().load(url)
    build(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("update raw.calls set talk_sec = 99, updated_at = now() where id = 1")
    assert build(url).full_refresh_fallback is False


def test_a_transient_database_error_reruns_the_incremental_build_instead_of_a_full_refresh(fresh_database, monkeypatch):
    """A deadlock (dbt's comment on a table against an autovacuum of it) fails one model of an incremental
    build: the build runs again incrementally and publishes, without a full refresh."""
    from telesales_build import dbt_runner

    url = fresh_database("transient")
    ensure_schema(url)
    contract_rows().load(url)
    dbt_runner.build(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("update raw.calls set talk_sec = 99, updated_at = now() where id = 1")
        builds = conn.execute("select count(*) from ops.warehouse_builds").fetchone()[0]
    real_run, runs = dbt_runner.run_dbt, []

    def deadlock_once(args, *a, **kw):
        runs.append("--full-refresh" in args)
        if len(runs) == 1:
            real_run(args, *a, **kw)  # the work is done, then one model fails as under a deadlock
            raise dbt_runner.BuildFailed(
                "DBT BUILD FAILED: model.telesales_reports.fct_calls: Database Error in model fct_calls\n"
                "  deadlock detected",
                ["model.telesales_reports.fct_calls"],
            )
        return real_run(args, *a, **kw)

    monkeypatch.setattr(dbt_runner, "run_dbt", deadlock_once)
    result = dbt_runner.build(url)
    assert runs == [False, False]  # two incremental runs, no full refresh
    assert not result.full_refresh_fallback
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select count(*) from ops.warehouse_builds").fetchone()[0] == builds + 1
        assert conn.execute("select talk_sec from marts.fct_calls where call_id = 1").fetchone()[0] == 99


def test_a_second_transient_error_is_not_retried_forever(fresh_database, monkeypatch):
    from telesales_build import dbt_runner

    url = fresh_database("transient_twice")
    ensure_schema(url)
    contract_rows().load(url)
    dbt_runner.build(url)
    runs = []

    def always_deadlocks(args, *a, **kw):
        runs.append("--full-refresh" in args)
        if "--full-refresh" not in args:
            raise dbt_runner.BuildFailed("DBT BUILD FAILED: deadlock detected", ["model.telesales_reports.fct_calls"])
        return real_run(args, *a, **kw)

    real_run = dbt_runner.run_dbt
    monkeypatch.setattr(dbt_runner, "run_dbt", always_deadlocks)
    # the facts are still in step with raw (nothing changed) and no invariant failed: the error stands
    with pytest.raises(dbt_runner.BuildFailed, match="deadlock"):
        dbt_runner.build(url)
    assert runs == [False, False]


def test_the_look_back_loads_again_only_the_rows_that_changed(fresh_database):
    """DECISIONLOG 94: an incremental run re-reads the rows updated within the look-back before its
    high-water mark (rows that commit late), but loads again only those not stored as they are: here
    every row was replicated an hour ago, so the look-back holds them all; one call changes."""
    url = fresh_database("lookback")
    ensure_schema(url)
    contract_rows().load(url)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("calls", "leads"):
            conn.execute(f"update raw.{table} set updated_at = now() - interval '1 hour'")
    build_db(url)
    build_db(url)  # both copies of the marts (write-audit-publish) hold every row as it is
    with psycopg.connect(url, autocommit=True) as conn:
        # Given: one call re-dispositioned now, and a lead committed late (updated_at in the look-back)
        conn.execute("update raw.calls set talk_sec = 99, updated_at = now() where id = 1")
        conn.execute(
            "insert into raw.leads (id, tenant_id, campaign_id, source, phone, created_at, updated_at)"
            " values (961, 1, 43, 'late', '0900000000', '2026-06-01 11:00+00', now() - interval '2 hours')"
        )
        lead_of_call = conn.execute("select lead_id from raw.calls where id = 1").fetchone()[0]
        build_db(url)

        def loaded(table: str, key: str) -> set[int]:
            return {
                r[0]
                for r in conn.execute(
                    f"select {key} from marts.{table} where dbt_loaded_at = (select max(dbt_loaded_at) from marts.{table})"
                )
            }

        calls, leads = loaded("fct_calls", "call_id"), loaded("fct_leads", "lead_id")
    # Then: the changed call and the late lead are loaded, with the lead of that call; nothing else
    assert calls == {1}
    assert leads == {lead_of_call, 961}
    # And: the answers equal a full rebuild's
    incremental = all_reports()
    build_db(url, full_refresh=True)
    assert all_reports() == incremental
    db.reset(None)
