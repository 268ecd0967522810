"""A slow or stuck database (fault): every request answers within its budget, the snapshot job
within its Lambda's timeout, tenant by tenant (DECISIONLOG 51).

The database is made to hang by holding locks from another connection: every mart locked
exclusively (a report's first query waits), or a snapshot row of tenant 1 inserted and not
committed (tenant 1's snapshot waits on its primary key).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from telesales_dev.events import LambdaContext
from telesales_reports.api.handler import lambda_handler
from telesales_reports.db import connection as db
from telesales_reports.jobs.abandon_snapshot import take_snapshot
from telesales_reports.settings import get_settings
from tests.contract_data import NOW
from tests.support import event

SERVICE_UNAVAILABLE = {"message": "Service Unavailable."}


class Remaining(LambdaContext):
    """A Lambda context with `remaining_ms` left, as Lambda passes it."""

    def __init__(self, remaining_ms: int) -> None:
        super().__init__()
        self._ends = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self._ends - time.monotonic()) * 1000)


@pytest.fixture
def slow_statements(monkeypatch):
    """A statement timeout (20 s) far beyond the budgets below, as in AWS."""
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "20000")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@contextmanager
def marts_locked(url: str) -> Iterator[None]:
    with psycopg.connect(url) as holder:
        marts = [
            r[0]
            for r in holder.execute(
                "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = 'marts'"
            )
        ]
        holder.execute(f"lock table {', '.join(marts)} in access exclusive mode")
        try:
            yield
        finally:
            holder.rollback()


def api_backends_waiting(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select count(*) from pg_stat_activity"
            " where application_name = 'telesales-reports-api' and state = 'active' and wait_event_type = 'Lock'"
        ).fetchone()[0]


def test_a_hanging_database_answers_the_contracts_503_before_the_budget_ends(api, slow_statements):
    # Lambda has 2.5 s left: the budget is that less the response margin (1 s).
    request = event("/api/telesales/reports/dashboard", {"date_from": "2026-06-01", "date_to": "2026-06-01"})
    with marts_locked(api):
        started = time.monotonic()
        response = lambda_handler(request, Remaining(2500))
        elapsed = time.monotonic() - started
        waiting = api_backends_waiting(api)
    assert response["statusCode"] == 503
    assert json.loads(response["body"]) == SERVICE_UNAVAILABLE
    assert 1.3 < elapsed < 2.2, elapsed
    assert waiting == 0  # the query was cancelled, not left running
    assert lambda_handler(request, Remaining(2500))["statusCode"] == 200  # and the connection still works


def test_the_configured_budget_applies_below_the_lambdas_own_time(api, slow_statements, monkeypatch):
    monkeypatch.setenv("TELESALES_REQUEST_BUDGET_MS", "1000")
    get_settings.cache_clear()
    request = event("/api/telesales/reports/time-series", {"date_from": "2026-06-01", "date_to": "2026-06-01"})
    with marts_locked(api):
        started = time.monotonic()
        response = lambda_handler(request, Remaining(29000))
        elapsed = time.monotonic() - started
    assert (response["statusCode"], json.loads(response["body"])) == (503, SERVICE_UNAVAILABLE)
    assert 0.8 < elapsed < 1.7, elapsed


def test_statements_that_each_fit_are_cancelled_when_together_they_do_not(api, slow_statements):
    started = time.monotonic()
    with pytest.raises(db.ServiceUnavailable), db.deadline(1500), db.read_only(1) as conn:
        conn.execute("select pg_sleep(0.9)")
        conn.execute("select pg_sleep(0.9)")  # the watchdog cancels it at 1.5 s
    assert time.monotonic() - started < 1.75
    with db.read_only(1) as conn:
        assert conn.execute("select 1 as one").fetchone()["one"] == 1


def test_every_report_statement_is_planned_for_its_own_values(api):
    # DECISIONLOG 71: psycopg prepares a statement run five times; a generic plan chosen while few rows
    # were un-built (empty arrays) timed out at 5 M calls once thousands were. Custom plans only, even
    # for a statement prepared long ago on the reused connection.
    for _ in range(7):
        with db.read_only(1) as conn:
            row = conn.execute(
                "select current_setting('plan_cache_mode') as mode, %s::bigint[] as ids", ([1, 2],)
            ).fetchone()
            assert row["mode"] == "force_custom_plan"


def test_report_statements_price_index_probes_for_a_cached_working_set(api, monkeypatch):
    # DECISIONLOG 73: the server's random_page_cost (4.0 on an untuned PostgreSQL) is not what the reports
    # are planned with; TELESALES_RANDOM_PAGE_COST (default 1.1) is, in the report's transaction only.
    with db.read_only(1) as conn:
        assert conn.execute("select current_setting('random_page_cost') as cost").fetchone()["cost"] == "1.1"
    monkeypatch.setenv("TELESALES_RANDOM_PAGE_COST", "2.5")
    get_settings.cache_clear()
    try:
        with db.read_only(1) as conn:
            assert conn.execute("select current_setting('random_page_cost') as cost").fetchone()["cost"] == "2.5"
    finally:
        monkeypatch.delenv("TELESALES_RANDOM_PAGE_COST")
        get_settings.cache_clear()


def test_report_statements_start_no_parallel_workers_unless_configured(api, monkeypatch):
    # DECISIONLOG 96: a report reads a few thousand rollup rows; two parallel workers cost more to start
    # (about 10 ms on caller-id-health) than they saved. TELESALES_MAX_PARALLEL_WORKERS_PER_GATHER
    # (default 0) sets it for the report's transaction only, whatever the server's default.
    def workers():
        with db.read_only(1) as conn:
            return conn.execute("select current_setting('max_parallel_workers_per_gather') as n").fetchone()["n"]

    assert workers() == "0"
    monkeypatch.setenv("TELESALES_MAX_PARALLEL_WORKERS_PER_GATHER", "2")
    get_settings.cache_clear()
    try:
        assert workers() == "2"
    finally:
        monkeypatch.delenv("TELESALES_MAX_PARALLEL_WORKERS_PER_GATHER")
        get_settings.cache_clear()


def test_a_spent_budget_starts_no_query(api):
    with pytest.raises(db.ServiceUnavailable), db.deadline(0), db.read_only(1):
        pass


@contextmanager
def tenant_one_blocked(url: str) -> Iterator[None]:
    """Hold an uncommitted snapshot row of tenant 1, campaign 43, in NOW's slot."""
    with psycopg.connect(url) as holder:
        holder.execute(
            "insert into ops.abandon_rate_snapshots values (1, 43, date_bin(interval '5 minutes', %s::timestamptz,"
            " timestamptz '2000-01-01 00:00:00+00'), %s, %s, %s, 0, 0, 0, 3, false)",
            (NOW, NOW, NOW, NOW),
        )
        try:
            yield
        finally:
            holder.rollback()


@pytest.fixture
def snapshots_cleared(api) -> Iterator[str]:
    yield api
    with psycopg.connect(api, autocommit=True) as conn:
        conn.execute("delete from ops.abandon_rate_snapshots")


def test_one_stuck_tenant_does_not_cost_the_others_their_snapshot(snapshots_cleared, monkeypatch, caplog):
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "1000")
    get_settings.cache_clear()
    try:
        with tenant_one_blocked(snapshots_cleared):
            result = take_snapshot(NOW, budget_ms=10000)
    finally:
        get_settings.cache_clear()
    assert result["failed_tenants"] == [1] and result["skipped_tenants"] == []
    assert result["written"] == 1  # tenant 2's active campaign 90
    incomplete = [r for r in caplog.records if r.getMessage() == "abandon_rate_snapshot_incomplete"]
    assert incomplete and incomplete[0].failed_tenants == [1]


def test_the_snapshot_job_stops_at_its_deadline_and_logs_what_it_did_not_do(snapshots_cleared, slow_statements, caplog):
    started = time.monotonic()
    with tenant_one_blocked(snapshots_cleared):
        result = take_snapshot(NOW, budget_ms=1200)
    assert time.monotonic() - started < 2.0
    assert (result["failed_tenants"], result["skipped_tenants"], result["written"]) == ([1], [2], 0)
    incomplete = [r for r in caplog.records if r.getMessage() == "abandon_rate_snapshot_incomplete"]
    assert incomplete and incomplete[0].skipped_tenants == [2]


def test_a_read_only_database_fails_each_tenants_snapshot_and_the_job_says_so(snapshots_cleared, contract_db, caplog):
    """A writer endpoint that points at a read-only instance for a moment (a failover): every tenant's
    snapshot fails as an unavailable database does, the job logs it and ends; nothing raises."""
    database = conninfo_to_dict(snapshots_cleared)["dbname"]
    with psycopg.connect(snapshots_cleared, autocommit=True) as conn:
        role = conn.execute("select current_user").fetchone()[0]
    setting = f'alter role "{role}" in database "{database}"'
    with psycopg.connect(contract_db, autocommit=True) as admin:
        admin.execute(f"{setting} set default_transaction_read_only = on")
        try:
            db.reset(snapshots_cleared)  # a new session, read-only from its start
            result = take_snapshot(NOW, budget_ms=10000)
        finally:
            admin.execute(f"{setting} reset default_transaction_read_only")
            db.reset(snapshots_cleared)
    assert (result["failed_tenants"], result["skipped_tenants"], result["written"]) == ([1, 2], [], 0)
    incomplete = [r for r in caplog.records if r.getMessage() == "abandon_rate_snapshot_incomplete"]
    assert incomplete and incomplete[0].failed_tenants == [1, 2]
    assert take_snapshot(NOW, budget_ms=10000)["written"] >= 1  # writable again: the next run writes
