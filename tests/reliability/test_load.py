"""A short, bounded load test of the live local API (scripts/load_test.py, loopback only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from telesales_reports.db import connection as db
from tests.support import api_url

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_test.py"
SECONDS = float(os.environ.get("LOAD_SECONDS", "5"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "20"))


def run_script(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_help_documents_the_options():
    result = run_script("--help")
    assert result.returncode == 0
    for option in ("--url", "--token", "--clients", "--seconds", "--tenant-id"):
        assert option in result.stdout


def test_refuses_anything_but_loopback():
    for url in ("http://192.0.2.1:8000/api/telesales/reports", "https://127.0.0.1/api", "http://example.com/api"):
        result = run_script("--url", url, "--token", "x", "--seconds", "1", timeout=30)
        assert result.returncode == 2, (url, result.stdout, result.stderr)
        assert "requests" not in result.stdout


def test_load(live_api):
    db.reset(api_url(live_api.database_url))
    result = run_script(
        "--url",
        live_api.base,
        "--token",
        live_api.token1,
        "--clients",
        str(CLIENTS),
        "--seconds",
        str(SECONDS),
        "--date-from",
        "2026-06-01",
        "--date-to",
        "2026-06-07",
        "--campaign-id",
        "43",
        "--json",
        timeout=SECONDS + 90,
    )
    assert result.stdout.strip(), result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"\nload: {figures['clients']} clients for {figures['seconds']} s: {figures['requests']} requests, "
        f"{figures['throughput_rps']} req/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms, errors {figures['errors']}"
    )
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["requests"] > 0
    assert set(figures["statuses"]) == {"200"}
    assert result.returncode == 0
