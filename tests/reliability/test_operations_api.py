"""What operators and browsers see of the API: the warehouse build time on every data answer, CORS on
the local server (preflight answered without a token, as API Gateway does), the public API reference,
and X-Ray traces from the real handler in a Lambda-like process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from telesales_build import build_runs
from telesales_dev.events import LambdaContext as Ctx
from telesales_reports.api import build_time
from telesales_reports.api.handler import lambda_handler
from tests.reliability.conftest import LiveApi
from tests.support import call, event

WINDOW = {"date_from": "2026-06-01", "date_to": "2026-06-30"}
BUILT_AT = "X-Warehouse-Built-At"


def _last_success(url: str) -> str:
    with psycopg.connect(url) as conn:
        moment = conn.execute(
            "select max(finished_at) from ops.build_runs where outcome = 'success' and selection is null"
        ).fetchone()[0]
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _headers(report: str, params: dict) -> dict:
    build_time.forget()
    response = lambda_handler(event(f"/api/telesales/reports/{report}", params), Ctx())
    assert response["statusCode"] in (200, 302), response.get("body")
    return response["headers"]


@pytest.mark.parametrize(
    ("report", "params"),
    [
        ("dashboard", WINDOW),
        ("time-series", {**WINDOW, "timezone": "Asia/Ho_Chi_Minh", "compare": "previous_period"}),
        ("agent-performance/export", {**WINDOW, "format": "csv"}),
        ("abandon-rate", {"campaign_id": "43"}),
        ("filters", {}),
    ],
)
def test_every_data_answer_carries_the_last_successful_build(api: str, report: str, params: dict) -> None:
    assert _headers(report, params)[BUILT_AT] == _last_success(api)


def test_the_build_time_follows_successful_full_builds_only(api: str) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    runs = {
        "success": build_runs.BuildRun(started_at=later),
        "failed": build_runs.BuildRun(started_at=later + timedelta(hours=1)),
        "partial": build_runs.BuildRun(started_at=later + timedelta(hours=2), selection="fct_calls"),
    }
    with psycopg.connect(api, autocommit=True) as conn:
        for name, run in runs.items():
            conn.execute(
                "insert into ops.build_runs (run_id, started_at, finished_at, outcome, full_refresh, selection)"
                " values (%s, %s, %s, %s, false, %s)",
                (
                    run.run_id,
                    run.started_at,
                    run.started_at,
                    "failed" if name == "failed" else "success",
                    run.selection,
                ),
            )
    try:
        assert _headers("dashboard", WINDOW)[BUILT_AT] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
        # Cached for a minute: a new build shows up within CACHE_SECONDS, without a query per request.
        with psycopg.connect(api, autocommit=True) as conn:
            conn.execute("delete from ops.build_runs where run_id = %s", (runs["success"].run_id,))
        status, _ = call("dashboard", WINDOW)
        assert status == 200 and build_time.last_build_time() == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    finally:
        with psycopg.connect(api, autocommit=True) as conn:
            conn.execute(
                "delete from ops.build_runs where run_id = any(%s::uuid[])", ([r.run_id for r in runs.values()],)
            )
        build_time.forget()


def test_no_header_when_no_build_was_recorded_and_never_an_error(api: str) -> None:
    with psycopg.connect(api, autocommit=True) as conn:
        saved = conn.execute("select * from ops.build_runs").fetchall()
        conn.execute("delete from ops.build_runs")
        try:
            assert BUILT_AT not in _headers("dashboard", WINDOW)
        finally:
            with conn.cursor() as cur:
                cur.executemany("insert into ops.build_runs values (%s, %s, %s, %s, %s, %s, %s, %s)", saved)
            build_time.forget()


# --- the local server: CORS and the public reference ----------------------------------------------


def _request(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_a_browser_preflight_is_answered_without_a_token(live: LiveApi) -> None:
    status, headers, body = _request(
        f"{live.base}/dashboard?date_from=2026-06-01&date_to=2026-06-30",
        "OPTIONS",
        {
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert (status, body) == (204, b"")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in headers["Access-Control-Allow-Methods"]
    assert "authorization" in headers["Access-Control-Allow-Headers"]


def test_answers_carry_cors_headers_for_a_browser_origin(live: LiveApi) -> None:
    status, headers, _ = _request(
        f"{live.base}/dashboard?date_from=2026-06-01&date_to=2026-06-30",
        headers={"Origin": "http://localhost:5173", **live.auth()},
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    exposed = headers["Access-Control-Expose-Headers"].lower()
    assert "x-warehouse-built-at" in exposed and "content-disposition" in exposed
    # An error is readable by the page too (else a 401 looks like a network failure).
    status, headers, _ = _request(f"{live.base}/dashboard", headers={"Origin": "http://localhost:5173"})
    assert status == 401 and headers["Access-Control-Allow-Origin"] == "*"


def test_an_origin_list_answers_only_its_origins(live: LiveApi, monkeypatch) -> None:
    from telesales_reports.settings import get_settings

    monkeypatch.setenv("TELESALES_CORS_ALLOW_ORIGIN", "https://app.example.com, http://localhost:5173")
    get_settings.cache_clear()
    try:
        url = f"{live.base}/openapi.json"
        _, allowed, _ = _request(url, headers={"Origin": "http://localhost:5173"})
        _, refused, _ = _request(url, headers={"Origin": "https://evil.example.net"})
        assert allowed["Access-Control-Allow-Origin"] == "http://localhost:5173" and "Origin" in allowed["Vary"].split(
            ", "
        )
        assert "Access-Control-Allow-Origin" not in refused
    finally:
        monkeypatch.delenv("TELESALES_CORS_ALLOW_ORIGIN")
        get_settings.cache_clear()


def test_the_reference_and_the_document_are_public_and_nothing_else(live: LiveApi) -> None:
    for path in ("/docs", "/docs/init.js", "/docs/swagger-ui.min.css", "/openapi.json"):
        status, headers, _ = _request(live.base + path)
        assert status == 200, path
        assert BUILT_AT not in headers, path
    assert _request(live.base + "/docs/../dashboard")[0] == 401


# --- X-Ray ------------------------------------------------------------------------------------------

TRACED_CALL = """
import json, sys
from telesales_reports.api.handler import lambda_handler
from telesales_dev.events import LambdaContext as Ctx
from tests.support import event
response = lambda_handler(event("/api/telesales/reports/dashboard", {"date_from": "2026-06-01", "date_to": "2026-06-30"}), Ctx())
print(response["statusCode"])
"""


def test_the_handler_sends_traces_with_tenant_and_report_and_no_response(api: str) -> None:
    """The real handler in a Lambda-like process (tracing on), with an X-Ray daemon stand-in on UDP."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(5)
    env = {
        **os.environ,
        "DATABASE_URL": api,
        "AWS_LAMBDA_FUNCTION_NAME": "telesales-reports-api",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
        "LAMBDA_TASK_ROOT": os.getcwd(),
        "AWS_REGION": "eu-west-1",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", TRACED_CALL], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.stdout.strip().splitlines()[-1] == "200", result.stderr[-2000:]
        segments = []
        while True:
            try:
                packet, _ = daemon.recvfrom(65535)
            except TimeoutError:
                break
            segments.append(json.loads(packet.decode().split("\n", 1)[1]))
    finally:
        daemon.close()
    by_name = {s["name"]: s for s in segments}
    handler = by_name["## lambda_handler"]
    assert handler["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert handler["annotations"]["ColdStart"] is True
    (report,) = [s for name, s in by_name.items() if name.endswith(".run_report")]
    assert report["annotations"] == {"tenant_id": 1, "report": "dashboard"}
    assert report["parent_id"] == handler["id"]
    # Report rows never reach the traces.
    assert "response" not in json.dumps([s.get("metadata", {}) for s in segments])
