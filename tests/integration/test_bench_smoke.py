"""`telesales-reports bench` on a tiny dataset: it runs end to end in its own database, times every
(report, case) through the handler and its raw-table baseline, and every equality check passes."""

from __future__ import annotations

import argparse
import json
import os

import psycopg

from telesales_dev import bench

SMALL = dict(calls=20_000, leads=4_000, agents=20, campaigns=4, caller_ids=30, days=30, repeat=2, reuse=False)


def test_bench_smoke(server_url, tmp_path, monkeypatch):
    name = f"ts_bench_smoke_{os.getpid()}"
    monkeypatch.setenv("TELESALES_BENCH_DB", name)
    output = tmp_path / "out" / "bench.json"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
    try:
        code = bench.main(argparse.Namespace(output=str(output), **SMALL))
        result = json.loads(output.read_text(encoding="utf-8"))
        tables = (tmp_path / "out" / "bench.md").read_text(encoding="utf-8")
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    assert result["database"] == name
    assert result["mismatches"] == [], result["mismatches"]
    assert code == 0
    seen = {(r["report"], r["case"]) for r in result["results"]}
    base_cases = [
        "no filters", "campaign", "5 agents", "team", "tz Asia/Ho_Chi_Minh", "tz Asia/Kolkata", "tz Asia/Kathmandu",
        "compare previous_period", "compare previous_year 5 agents",
    ]  # fmt: skip
    expected = {(report, case) for report in bench.MART_REPORTS for case in base_cases}
    expected |= {("time-series", "group_by=hour"), ("time-series", "group_by=week"), ("abandon-rate", "campaign")}
    assert expected <= seen
    for r in result["results"]:
        assert r["status"] == 200, r
        assert r["equal"] is True, r
        for side in ("ours", "baseline"):
            assert r[side]["n"] == SMALL["repeat"]
            assert r[side]["p50_ms"] > 0 and r[side]["p95_ms"] >= r[side]["p50_ms"]
    assert {x["report"] for x in result["xlsx"]} == set(bench.MART_REPORTS)
    assert all(x["status"] == 200 and x["bytes"] for x in result["xlsx"])
    assert result["cold_start"]["statuses"] == [200] and len(result["cold_start"]["runs"]) == 5
    assert result["build"]["full_seconds"] > 0 and result["build"]["incremental_seconds"] > 0
    assert result["dataset"]["counts"]["calls"] == SMALL["calls"]
    assert {t["target"] for t in result["targets"]} and result["machine"]["postgresql"]
    assert any("compare" in t["target"] for t in result["targets"])
    # the README's tables, written beside the JSON: a row per report, built and live
    assert tables.count("| funnel |") == 2 and "equal their raw-table baseline" in tables
    assert bench.selected_reports("attempts, carrier-health") == ("attempts", "carrier-health")


def test_reused_data_is_stamped_as_replicated_before_the_appended_day(fresh_database):
    # A previous run's live case updates calls "now"; reused, those stamps would put the warehouse's
    # watermark past the day the next run appends, and its incremental build would heal by a full refresh.
    url = fresh_database("bench_reuse")
    args = argparse.Namespace(**{**SMALL, "calls": 2_000, "leads": 400, "days": 5})
    opts = bench._resolve_options(args)
    assert bench.prepare_dataset(url, opts, reuse=False)["reused"] is False
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("update raw.calls set updated_at = now() + interval '1 day' where id % 10 = 0")
        day_start = conn.execute(
            "select date_trunc('day', max(started_at), 'UTC') + interval '1 day' from raw.calls"
        ).fetchone()[0]
    assert bench.prepare_dataset(url, opts, reuse=True)["reused"] is True
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select max(updated_at) from raw.calls").fetchone()[0] < day_start
        stamped = conn.execute(
            "select count(*) filter (where updated_at = %s - interval '1 second'), count(*) from raw.calls"
            " where id %% 10 = 0",
            (day_start,),
        ).fetchone()
        assert stamped[0] == stamped[1] > 0  # as replicated just before the day begins
