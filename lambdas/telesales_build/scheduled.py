"""The scheduled build (the ECS task, `telesales-reports build --scheduled`).

1. `dbt source freshness`: how old the replicated raw rows are; one `source_freshness` JSON line.
2. the build (dbt_runner.build: advisory lock, self-heal), recorded in ops.build_runs with the
   freshness status; one `dbt_build` JSON line with the outcome.
3. dbt's run_results.json, manifest.json and sources.json to
   `$TELESALES_DBT_ARTIFACTS_URI<UTC date>/<run id>/` (S3) when that variable is set.

The JSON lines go to stdout (the task's log group): infra/template.yaml turns them into metrics.
Exit codes are the CLI's: 0 success, 1 the build failed, 3 skipped (the lock was held).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from . import build_runs
from .dbt_runner import BuildFailed, BuildLocked, build, run_dbt, target_path

ARTIFACTS = ("run_results.json", "manifest.json", "sources.json")
FRESHNESS_ORDER = ("pass", "warn", "error", "runtime error")


def emit(event: str, **fields: Any) -> dict[str, Any]:
    """One JSON log line on stdout (CloudWatch metric filters match on `event`)."""
    line = {"event": event, **fields}
    print(json.dumps(line, separators=(",", ":"), default=str), flush=True)
    return line


def summarise_freshness(sources_json: dict[str, Any]) -> dict[str, Any]:
    """Worst status and the oldest source's age (seconds) from dbt's sources.json."""
    results = sources_json.get("results", [])
    statuses = [r.get("status", "runtime error") for r in results]
    worst = max(statuses, key=FRESHNESS_ORDER.index, default="pass")
    ages = {
        r["unique_id"].removeprefix("source.telesales_reports."): round(r["max_loaded_at_time_ago_in_s"])
        for r in results
        if r.get("max_loaded_at_time_ago_in_s") is not None
    }
    return {
        "status": worst,
        "max_age_seconds": max(ages.values(), default=0),
        "sources": {name: {"age_seconds": age} for name, age in sorted(ages.items())},
        "stale": sorted(
            r["unique_id"].removeprefix("source.telesales_reports.") for r in results if r.get("status") != "pass"
        ),
    }


def check_source_freshness(url: str) -> dict[str, Any]:
    """Run `dbt source freshness`; a stale source never stops the build (it is reported). dbt fails when
    a source is stale at the error level (its result says so) or when it could not read one (a Citus
    worker down: sources.json then leaves that source out); the latter is a "runtime error", never a
    pass."""
    sources = target_path() / "sources.json"
    sources.unlink(missing_ok=True)
    failure: BuildFailed | None = None
    try:
        run_dbt(["source", "freshness"], url=url)
    except BuildFailed as exc:
        failure = exc
        if not sources.exists():
            return emit("source_freshness", status="runtime error", max_age_seconds=0, error=str(exc)[:500])
    summary = summarise_freshness(json.loads(sources.read_text(encoding="utf-8")))
    if failure is not None and FRESHNESS_ORDER.index(summary["status"]) < FRESHNESS_ORDER.index("error"):
        summary |= {"status": "runtime error", "error": str(failure)[:500]}
    return emit("source_freshness", **summary)


def upload_artifacts(uri: str, run: build_runs.BuildRun, client: Any | None = None) -> str:
    """Put dbt's artifacts of this run under `uri` + `<UTC date>/<run id>/`; return that prefix."""
    if not uri.startswith("s3://"):
        raise ValueError(f"TELESALES_DBT_ARTIFACTS_URI must be an s3:// URI, not {uri!r}")
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    key_prefix = f"{prefix}{run.started_at:%Y-%m-%d}/{run.run_id}/"
    if client is None:
        import boto3

        client = boto3.client("s3")
    for name in ARTIFACTS:
        path = target_path() / name
        if path.exists():
            client.put_object(
                Bucket=bucket,
                Key=key_prefix + name,
                Body=path.read_bytes(),
                ContentType="application/json",
            )
    return f"s3://{bucket}/{key_prefix}"


def scheduled_build(
    url: str,
    artifacts_uri: str | None = None,
    on_node: Callable[[str, str, float], None] | None = None,
    s3_client: Any | None = None,
) -> int:
    """Freshness, build, record, artifacts; returns the process exit code."""
    artifacts_uri = artifacts_uri if artifacts_uri is not None else os.environ.get("TELESALES_DBT_ARTIFACTS_URI")
    run = build_runs.BuildRun()
    freshness = check_source_freshness(url)
    run.source_freshness = freshness["status"]
    outcome: build_runs.Outcome = "success"
    detail: dict[str, Any] = {}
    try:
        result = build(url, on_node=on_node, run=run)
        detail = {
            "seconds": round(result.seconds, 1),
            "nodes": len(result.nodes),
            "warnings": result.warnings,
            "full_refresh_fallback": result.full_refresh_fallback,
        }
    except BuildLocked as exc:
        outcome = "skipped"
        build_runs.record(url, run, "skipped")
        detail = {"reason": str(exc)}
    except BuildFailed as exc:
        outcome = "failed"
        detail = {"error": str(exc)[:2000]}
        print(str(exc), file=sys.stderr)  # the "DBT BUILD FAILED" line the log alarm matches
    if artifacts_uri and outcome != "skipped":
        try:
            run.artifacts_uri = upload_artifacts(artifacts_uri, run, s3_client)
            build_runs.record(url, run, outcome)
        except Exception as exc:  # noqa: BLE001 - artifacts are a by-product: report, never fail the build
            emit("dbt_artifacts", status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
    emit(
        "dbt_build",
        outcome=outcome,
        run_id=run.run_id,
        source_freshness=run.source_freshness,
        artifacts_uri=run.artifacts_uri,
        **detail,
    )
    return {"success": 0, "failed": 1, "skipped": 3}[outcome]
