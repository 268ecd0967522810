"""Faults give a clean 503 in the contract's shape and recover without a new container."""

from __future__ import annotations

import threading

import psycopg
import pytest

from telesales_reports.db import connection as db
from telesales_reports.settings import get_settings
from tests.support import call

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
UNAVAILABLE = {"message": "Service Unavailable."}


def test_database_down_at_cold_start_then_recovery(api):
    # Given: a fresh container whose database is unreachable
    db.reset("postgresql://nobody@127.0.0.1:1/nowhere?connect_timeout=1")
    # Then: a clean 503, no trace
    assert call("dashboard", DAY) == (503, UNAVAILABLE)
    assert call("abandon-rate", {"campaign_id": "43"}) == (503, UNAVAILABLE)
    # When: the database is back, the same process serves again
    db.reset(api)
    assert call("dashboard", DAY)[0] == 200


def test_connection_killed_between_requests_is_replaced(api):
    assert call("dashboard", DAY)[0] == 200
    with psycopg.connect(api, autocommit=True) as admin:
        killed = admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where application_name = 'telesales-reports-api' and datname = current_database()"
        ).fetchall()
    assert killed
    # the stale connection is detected and replaced within the next request
    assert call("dashboard", DAY)[0] == 200


def test_connection_killed_mid_request_gives_503_then_recovers(api, monkeypatch):
    # Given: the report query is blocked by a lock, and the server kills the backend meanwhile
    admin = psycopg.connect(api, autocommit=False)
    admin.execute("lock table marts.fct_calls in access exclusive mode")
    results = {}

    def request():
        results["response"] = call(
            "disposition-breakdown", {"date_from": "2026-06-01T09:00:00", "date_to": "2026-06-01T12:00:00"}
        )

    worker = threading.Thread(target=request)
    worker.start()
    try:
        with psycopg.connect(api, autocommit=True) as killer:
            for _ in range(100):
                rows = killer.execute(
                    "select pid from pg_stat_activity where application_name = 'telesales-reports-api'"
                    " and wait_event_type = 'Lock'"
                ).fetchall()
                if rows:
                    killer.execute("select pg_terminate_backend(%s)", (rows[0][0],))
                    break
                threading.Event().wait(0.05)
    finally:
        worker.join(10)
        admin.rollback()
        admin.close()
    assert results["response"] == (503, UNAVAILABLE)
    assert call("disposition-breakdown", DAY)[0] == 200


def test_statement_timeout_gives_503_and_the_connection_stays_usable(api, monkeypatch):
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "300")
    get_settings.cache_clear()
    try:
        holder = psycopg.connect(api, autocommit=False)
        holder.execute("lock table marts.fct_calls in access exclusive mode")
        try:
            status, body = call(
                "disposition-breakdown", {"date_from": "2026-06-01T09:00:00", "date_to": "2026-06-01T12:00:00"}
            )
        finally:
            holder.rollback()
            holder.close()
        assert (status, body) == (503, UNAVAILABLE)
        assert call("disposition-breakdown", DAY)[0] == 200
    finally:
        monkeypatch.delenv("TELESALES_STATEMENT_TIMEOUT_MS")
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("mart", "report"), [("agg_calls_tenant_15m", "hour-dow-heatmap"), ("fct_calls", "caller-id-health")]
)
def test_missing_mart_gives_503_not_a_trace(api, mart, report):
    with psycopg.connect(api, autocommit=True) as admin:
        admin.execute(f"alter table marts.{mart} rename to {mart}_away")
        try:
            assert call(report, DAY) == (503, UNAVAILABLE)
        finally:
            admin.execute(f"alter table marts.{mart}_away rename to {mart}")
    assert call(report, DAY)[0] == 200
