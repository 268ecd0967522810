"""`telesales-reports bench --cluster`: the same many-tenant dataset on one PostgreSQL and on the local
Citus cluster (a coordinator and `--workers` workers), compared.

For each side: generate the dataset (`--tenants` tenants sharing `--calls` calls, seed 42), time a
full build, append one day and time the incremental build; then time every dated report through the
real Lambda handler for every tenant (no filters, and one campaign of that tenant; one warm-up call,
then `--repeat` timed calls), over the 90 days ending on the last generated day. Every cluster
answer must equal the one-node answer (exit code 1 otherwise). Writes bench-results/bench-cluster.json.
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from telesales_reports.reports.registry import DATED

from .bench import BASE, ensure_database, percentile, timed_build
from .events import LambdaContext, http_api_event, query_string, tenant_claims

SEED = 42
WINDOW_DAYS = 90
SINGLE_DB = "telesales_bench_tenants"
CLUSTER_DB = "telesales_bench_cluster"


def _log(message: str) -> None:
    print(f"[bench --cluster] {message}", flush=True)


def _prepare(url: str, opts: Any) -> dict:
    from telesales_build.bootstrap import ensure_schema

    from .generate import append_days, generate

    ensure_schema(url)
    started = time.perf_counter()
    generate(url, opts)
    generated = time.perf_counter() - started
    _log(f"  generated in {generated:.1f}s; full build ...")
    full = timed_build(url, full_refresh=True)
    _log(f"  full build {full['seconds']:.1f}s; appending one day, incremental build ...")
    appended = append_days(url, days=1, seed=SEED)
    incremental = timed_build(url, full_refresh=False)
    _log(f"  incremental build {incremental['seconds']:.1f}s ({appended['calls']} calls appended)")
    return {
        "generate_seconds": round(generated, 2),
        "full_build_seconds": full["seconds"],
        "full_build_error": full["error"],
        "incremental_build_seconds": incremental["seconds"],
        "incremental_build_error": incremental["error"],
        "appended_calls": appended["calls"],
    }


def _cases(url: str) -> tuple[list[tuple[int, str, list[tuple[str, str]]]], date]:
    """(tenant, report, params) for every tenant and dated report: no filters, and the tenant's first
    campaign; the window is the 90 days before the appended day."""
    with psycopg.connect(url) as conn:
        campaigns = dict(conn.execute("select tenant_id, min(id) from raw.campaigns group by tenant_id").fetchall())
        last_day = conn.execute("select max(started_at)::date from raw.calls").fetchone()[0] - timedelta(days=1)
    first_day = last_day - timedelta(days=WINDOW_DAYS - 1)
    dates = [("date_from", first_day.isoformat()), ("date_to", last_day.isoformat())]
    cases = []
    for tenant in sorted(campaigns):
        for report in DATED:
            cases.append((tenant, report, dates))
            cases.append((tenant, report, [*dates, ("campaign_id", str(campaigns[tenant]))]))
    return cases, last_day


def _time_reports(url: str, cases, repeat: int) -> tuple[dict, dict]:
    """Per case: milliseconds of `repeat` handler calls, and the answer."""
    from telesales_reports.api.handler import lambda_handler
    from telesales_reports.db import connection as db

    db.reset(url)
    samples: dict = {}
    answers: dict = {}
    for tenant, report, params in cases:
        event = http_api_event(
            "GET", f"{BASE}/{report}", query_string(params), claims=tenant_claims(tenant, "bench"), request_id="bench"
        )
        answers[(tenant, report, tuple(params))] = first = lambda_handler(event, LambdaContext("bench"))
        timings = []
        if first.get("statusCode") == 200:
            for _ in range(repeat):
                started = time.perf_counter()
                lambda_handler(event, LambdaContext("bench"))
                timings.append((time.perf_counter() - started) * 1000)
        samples[(tenant, report, tuple(params))] = timings
    db.reset(None)
    return samples, answers


def _per_report(samples: dict) -> dict:
    """p50/p95 over every tenant's calls per report and filter, and the worst single tenant's p95."""
    out: dict = {}
    for (_tenant, report, params), timings in samples.items():
        shape = "campaign" if any(k == "campaign_id" for k, _ in params) else "no filters"
        entry = out.setdefault(f"{report} | {shape}", {"all": [], "tenant_p95": []})
        entry["all"].extend(timings)
        if timings:
            entry["tenant_p95"].append(percentile(timings, 0.95))
    return {
        key: {
            "p50_ms": round(percentile(v["all"], 0.5), 2) if v["all"] else None,
            "p95_ms": round(percentile(v["all"], 0.95), 2) if v["all"] else None,
            "worst_tenant_p95_ms": round(max(v["tenant_p95"]), 2) if v["tenant_p95"] else None,
            "n": len(v["all"]),
        }
        for key, v in out.items()
    }


def main(args: Any) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from . import cluster
    from .embedded_db import database_url
    from .generate import GenerateOptions

    tenants = args.tenants
    opts = GenerateOptions(
        tenants=tenants,
        campaigns=max(args.campaigns, tenants),
        teams=max(10, tenants),
        agents=max(args.agents, tenants),
        caller_ids=max(args.caller_ids, tenants),
        leads=args.leads or max(tenants, args.calls // 5),
        calls=args.calls,
        days=args.days,
        seed=SEED,
    )
    output = Path(args.output if args.output != "bench-results/bench.json" else "bench-results/bench-cluster.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DBT_TARGET_PATH", str((output.parent / "dbt-target").resolve()))
    os.environ.setdefault("DBT_LOG_PATH", str((output.parent / "dbt-logs").resolve()))

    state = cluster.up(workers=args.workers)
    sides = {
        "one node": ensure_database(database_url(), SINGLE_DB),
        f"citus 1+{len(state.worker_ports)}": cluster.create_database(CLUSTER_DB, state, replace=True),
    }
    with psycopg.connect(sides["one node"], autocommit=True) as conn:
        for table in ("raw.calls", "raw.leads"):
            if conn.execute("select to_regclass(%s)", (table,)).fetchone()[0]:
                conn.execute(f"truncate {table}")  # generate() reloads everything; start from empty
    builds, timings, answers = {}, {}, {}
    for label, url in sides.items():
        _log(f"{label}: {opts.tenants} tenants, {opts.calls:,} calls, {opts.leads:,} leads over {opts.days} days")
        builds[label] = _prepare(url, opts)
    cases, last_day = _cases(sides["one node"])
    for label, url in sides.items():
        _log(f"{label}: {len(cases)} report cases x {args.repeat} calls ...")
        samples, answers[label] = _time_reports(url, cases, args.repeat)
        timings[label] = _per_report(samples)
    single, clustered = answers.values()
    different = [key for key in single if single[key].get("body") != clustered[key].get("body")]
    errors = [key for key in single if single[key].get("statusCode") != 200]

    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "dataset": {
            "tenants": opts.tenants, "calls": opts.calls, "leads": opts.leads, "days": opts.days,
            "window": [str(last_day - timedelta(days=WINDOW_DAYS - 1)), str(last_day)],
        },
        "workers": len(state.worker_ports),
        "builds": builds,
        "reports": timings,
        "cases": len(cases),
        "repeat": args.repeat,
        "answers_equal": not different,
        "different": [list(map(str, key)) for key in different[:20]],
        "errors": [list(map(str, key)) for key in errors[:20]],
    }  # fmt: skip
    output.write_text(json.dumps(report, indent=2))
    labels = list(sides)
    print(f"\n{'report | filter':<44}" + "".join(f"{lab + ' p95 (worst tenant)':>32}" for lab in labels))
    for key in timings[labels[0]]:
        cells = "".join(
            f"{timings[lab][key]['p95_ms']!s:>18} ms ({timings[lab][key]['worst_tenant_p95_ms']!s:>7})"
            for lab in labels
        )
        print(f"{key:<44}{cells}")
    for lab in labels:
        b = builds[lab]
        print(f"{lab}: full build {b['full_build_seconds']} s, incremental {b['incremental_build_seconds']} s")
    print(f"answers equal on both: {not different} ({len(cases)} cases); written to {output}")
    return 0 if not different and not errors else 1
