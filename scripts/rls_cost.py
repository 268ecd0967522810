"""What row-level security costs the API: every report through the real handler, logged in as the
marts' owner (bypasses RLS) and as telesales_api (bound to the request's tenant), same data.

    .venv/bin/python scripts/rls_cost.py [--calls 1000000] [--runs 15] [--reuse]

Generates a dataset into its own database (`telesales_rls_cost`, kept for --reuse), builds it,
then times each report over a 90-day window with no filters and with five agents, alternating the
two logins. Prints p50/p95 in ms per login and their ratio. Loopback only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse, urlunparse

import psycopg
from tests.support import event

from telesales_build.bootstrap import ensure_schema
from telesales_build.dbt_runner import build
from telesales_dev.embedded_db import api_login_url, database_url
from telesales_dev.events import LambdaContext
from telesales_dev.generate import GenerateOptions, generate
from telesales_reports.api.handler import lambda_handler
from telesales_reports.db import connection as db

NAME = "telesales_rls_cost"
REPORTS = (
    "dashboard",
    "disposition-breakdown",
    "agent-performance",
    "funnel",
    "caller-id-health",
    "hour-dow-heatmap",
    "lead-source-attribution",
    "time-series",
)


def _database(server: str, reuse: bool, calls: int) -> str:
    url = urlunparse(urlparse(server)._replace(path="/" + NAME))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (NAME,)).fetchone()
        if exists and reuse:
            return url
        conn.execute(f'drop database if exists "{NAME}" with (force)')
        conn.execute(f'create database "{NAME}"')
    ensure_schema(url)
    generate(url, GenerateOptions(calls=calls, leads=calls // 5, end=datetime(2026, 6, 1, tzinfo=UTC)))
    build(url)
    return url


def _time(report: str, params: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    response = lambda_handler(event(f"/api/telesales/reports/{report}", params), LambdaContext())
    elapsed = (time.perf_counter() - started) * 1000
    assert response["statusCode"] == 200, response
    return elapsed


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    owner = _database(database_url(), args.reuse, args.calls)
    api = api_login_url(owner)
    with psycopg.connect(owner) as conn:
        agents = [r[0] for r in conn.execute("select agent_id from marts.dim_agents order by agent_id limit 5")]
    end = datetime(2026, 6, 1, tzinfo=UTC)
    window = [("date_from", (end - timedelta(days=90)).date().isoformat()), ("date_to", end.date().isoformat())]
    cases = {"no filters": window, "5 agents": window + [("agent_ids[]", str(a)) for a in agents]}
    print(f"{'report':<26}{'case':<12}{'owner p50/p95':>16}{'api p50/p95':>16}{'ratio p50':>11}")
    for report in REPORTS:
        for case, params in cases.items():
            times: dict[str, list[float]] = {"owner": [], "api": []}
            for url in (owner, api):  # warm both
                db.reset(url)
                _time(report, params)
            for _ in range(args.runs):
                for label, url in (("owner", owner), ("api", api)):
                    db.reset(url)
                    _time(report, params)  # the reconnect is not what is measured
                    times[label].append(_time(report, params))
            o, a = times["owner"], times["api"]
            print(
                f"{report:<26}{case:<12}{statistics.median(o):>8.1f}/{_p95(o):<7.1f}"
                f"{statistics.median(a):>8.1f}/{_p95(a):<7.1f}{statistics.median(a) / statistics.median(o):>10.2f}"
            )
    db.reset(None)


if __name__ == "__main__":
    main()
