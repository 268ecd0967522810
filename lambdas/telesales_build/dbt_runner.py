"""Run `dbt build` in-process against DATABASE_URL (or the TELESALES_DB_* parts), one build at a time."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import psycopg
import yaml

from telesales_reports.settings import get_settings

from . import build_runs
from .bootstrap import ensure_schema
from .connection_url import parse_url, require_url
from .paths import project_root

BUILD_LOCK_KEY = "telesales_reports.dbt_build"


class BuildLocked(RuntimeError):
    """Another dbt build holds the advisory lock."""


class BuildFailed(RuntimeError):
    """dbt reported an error (a model or a test failed)."""


@dataclass
class BuildResult:
    seconds: float
    nodes: list[tuple[str, str, float]] = field(default_factory=list)  # (node, status, seconds)
    warnings: int = 0
    errors: list[str] = field(default_factory=list)
    full_refresh_fallback: bool = False


def dbt_env(url: str) -> dict[str, str]:
    """Environment for dbt: the profile's connection settings and no usage tracking."""
    params = parse_url(url)
    return {
        "TELESALES_DB_HOST": params.host,
        "TELESALES_DB_PORT": str(params.port),
        "TELESALES_DB_USER": params.user,
        "TELESALES_DB_PASSWORD": params.password,
        "TELESALES_DB_NAME": params.dbname,
        "TELESALES_DB_SSLMODE": params.sslmode,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def settings_vars() -> dict:
    """dbt vars that come from the service's settings: one value for the build and the API."""
    return {"short_call_threshold_sec": get_settings().short_call_threshold_sec}


def with_settings_vars(args: Sequence[str]) -> list[str]:
    """`args` with `--vars` carrying settings_vars(), merged under any `--vars` the caller gave."""
    args = list(args)
    given: dict = {}
    if "--vars" in args:
        at = args.index("--vars")
        given = yaml.safe_load(args[at + 1]) or {}
        del args[at : at + 2]
    return [*args, "--vars", json.dumps(settings_vars() | given)]


def run_dbt(
    args: Sequence[str],
    url: str | None = None,
    on_node: Callable[[str, str, float], None] | None = None,
) -> BuildResult:
    """Invoke dbt with the project's profile; raise BuildFailed when dbt does not succeed."""
    from dbt.cli.main import dbtRunner

    url = url or require_url()
    os.environ.update(dbt_env(url))
    root = str(project_root())
    result = BuildResult(seconds=0.0)

    def callback(event) -> None:
        name = event.info.name
        if name == "NodeFinished":
            node = event.data.node_info
            status, elapsed = node.node_status, 0.0
            with contextlib.suppress(AttributeError, TypeError, ValueError):
                elapsed = float(event.data.run_result.execution_time)
            result.nodes.append((node.unique_id, status, elapsed))
            message = getattr(event.data.run_result, "message", "") or ""
            if status in ("error", "fail", "runtime error") and message:
                result.errors.append(f"{node.unique_id}: {message}")
            if status == "warn":
                result.warnings += 1
            if on_node:
                on_node(node.unique_id, status, elapsed)

    started = time.perf_counter()
    runner = dbtRunner(callbacks=[callback])
    res = runner.invoke([*with_settings_vars(args), "--project-dir", root, "--profiles-dir", root, "--quiet"])
    result.seconds = time.perf_counter() - started
    if not res.success:
        detail = "; ".join(result.errors[:10]) or (str(res.exception) if res.exception else "see dbt logs")
        raise BuildFailed(f"DBT BUILD FAILED: {detail}")
    return result


# The incremental facts hold exactly the raw rows, each as of its last updated_at. A fingerprint of
# (id, updated_at) over both sides tells whether an incremental run left them in step; it does not
# when raw rows were deleted (a reload) or replicated late with an updated_at older than the look-back.
# Schema-qualified with exact argument types: nothing on the search path can stand in (DECISIONLOG 48).
def _fingerprint(id_column: str) -> str:
    digest = f"pg_catalog.hashtextextended({id_column}::text || '|' || updated_at::text, 0::bigint)"
    return f"count(*) as n, coalesce(sum({digest}), 0) as h"


IN_STEP_SQL = f"""
with
raw_calls as (select {_fingerprint("id")} from raw.calls),
fct_calls as (select {_fingerprint("call_id")} from marts.fct_calls),
raw_leads as (select {_fingerprint("id")} from raw.leads),
fct_leads as (select {_fingerprint("lead_id")} from marts.fct_leads)
-- one row per side, compared column by column (Citus cannot compare anonymous row values)
select
    raw_calls.n = fct_calls.n and raw_calls.h = fct_calls.h
    and raw_leads.n = fct_leads.n and raw_leads.h = fct_leads.h
from raw_calls, fct_calls, raw_leads, fct_leads
"""


def facts_in_step(url: str) -> bool:
    """True when marts.fct_calls / fct_leads hold exactly the raw rows (ids and updated_at)."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            return bool(conn.execute(IN_STEP_SQL).fetchone()[0])
    except psycopg.errors.UndefinedTable:
        return False


def build(
    url: str | None = None,
    full_refresh: bool = False,
    select: str | None = None,
    on_node: Callable[[str, str, float], None] | None = None,
    run: build_runs.BuildRun | None = None,
) -> BuildResult:
    """Create the raw/ops schema if needed, then `dbt build` under an advisory lock.

    An incremental build that leaves the facts out of step with raw (rows deleted, or replicated late
    with an old updated_at) is followed by a full refresh, so the marts never keep stale rows.
    The build ends with its row in ops.build_runs (success or failed; `run` when the caller made one).
    """
    url = url or require_url()
    ensure_schema(url)
    run = run or build_runs.BuildRun()
    run.full_refresh, run.selection = full_refresh, select
    with psycopg.connect(url, autocommit=True) as lock_conn:
        got = lock_conn.execute("select pg_try_advisory_lock(hashtext(%s))", (BUILD_LOCK_KEY,)).fetchone()[0]
        if not got:
            raise BuildLocked("another dbt build is running on this database; try again when it ends")
        try:
            result = _build_holding_lock(url, full_refresh, select, on_node)
        except BuildFailed:
            build_runs.record(url, run, "failed")
            raise
        run.full_refresh = run.full_refresh or result.full_refresh_fallback
        build_runs.record(url, run, "success")
        return result


def _build_holding_lock(
    url: str, full_refresh: bool, select: str | None, on_node: Callable[[str, str, float], None] | None
) -> BuildResult:
    """The build itself (the caller holds the advisory lock): incremental, healed by a full refresh."""
    args = ["build", *(["--select", select] if select else [])]
    if full_refresh or select:
        return run_dbt([*args, *(["--full-refresh"] if full_refresh else [])], url=url, on_node=on_node)
    try:
        result = run_dbt(args, url=url, on_node=on_node)
    except BuildFailed:
        if facts_in_step(url):
            raise
        result = None
    if result is not None and facts_in_step(url):
        return result
    print("marts out of step with raw (rows deleted or replicated late): full refresh", file=sys.stderr)
    healed = run_dbt([*args, "--full-refresh"], url=url, on_node=on_node)
    healed.full_refresh_fallback = True
    return healed


def print_progress(node: str, status: str, seconds: float) -> None:
    kind, _, rest = node.partition(".")
    name = rest.split(".", 1)[-1]
    print(f"  {status:<7} {kind:<10} {name:<70} {seconds:7.2f}s", file=sys.stderr, flush=True)
