"""Run `dbt build` in-process against DATABASE_URL (or the TELESALES_DB_* parts), one build at a time."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
import yaml

from telesales_reports.settings import get_settings

from . import audit, build_runs
from .bootstrap import ensure_schema
from .connection_url import parse_url, require_url
from .paths import project_root
from .warehouse_state import (
    BUILDING,
    checked_before,
    database_now,
    facts_in_step,
    lead_block_size_changed,
    prepare_building_copy,
    publish,
    reset_building_copy,
)

BUILD_LOCK_KEY = "telesales_reports.dbt_build"

# Per-build values the macros read with env_var() only while dbt executes (macros/build_cutoff.sql,
# macros/audit_scope.sql): as `--vars` they would make dbt re-parse the whole project on every build.
BUILD_ENV = ("TELESALES_BUILD_CUTOFF", "TELESALES_BUILD_CHECKED_BEFORE", "TELESALES_AUDIT_SCOPE")


class BuildLocked(RuntimeError):
    """Another dbt build holds the advisory lock."""


class BuildFailed(RuntimeError):
    """dbt reported an error (a model or a test failed)."""

    def __init__(self, message: str, failed_nodes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.failed_nodes = tuple(failed_nodes)


@dataclass
class BuildResult:
    seconds: float
    nodes: list[tuple[str, str, float]] = field(default_factory=list)  # (node, status, seconds)
    warnings: int = 0
    errors: list[str] = field(default_factory=list)
    failed_nodes: list[str] = field(default_factory=list)
    full_refresh_fallback: bool = False
    reparsed: bool = False  # dbt found a parse state it could not use and parsed the whole project


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
    settings = get_settings()
    return {
        "short_call_threshold_sec": settings.short_call_threshold_sec,
        "random_page_cost": settings.random_page_cost,
        "lead_block_bits": settings.lead_block_bits,
    }


def with_settings_vars(args: Sequence[str]) -> list[str]:
    """`args` with `--vars` carrying settings_vars(), merged under any `--vars` the caller gave."""
    args = list(args)
    given: dict = {}
    if "--vars" in args:
        at = args.index("--vars")
        given = yaml.safe_load(args[at + 1]) or {}
        del args[at : at + 2]
    return [*args, "--vars", json.dumps(settings_vars() | given)]


PARSE_STATES = "parse-states"  # under dbt's target path: the parse state each database's builds reuse


def target_path() -> Path:
    """dbt's target folder (manifest, compiled SQL, parse states): DBT_TARGET_PATH, relative to the
    project as dbt resolves it, else `target/`."""
    return project_root() / os.environ.get("DBT_TARGET_PATH", "target")


def _parse_state(url: str, args: list[str]) -> Path:
    """Where dbt's parse state for this database and these arguments' vars is kept between runs.

    dbt re-parses the whole project (about 7 s) when the profile (the database's name is part of it)
    or `--vars` differ from its last run, whatever database that was. A copy of its partial-parse file
    per (connection, vars) lets the next build of the same database start from its own state; dbt
    still checks every file's hash and re-parses what changed. Per-build values (the cutoff, the audit
    scope) travel as environment variables read only at execution (BUILD_ENV), never as vars."""
    params = parse_url(url)
    vars_given = args[args.index("--vars") + 1] if "--vars" in args else ""
    key = json.dumps([params.host, params.port, params.user, params.dbname, vars_given])
    return target_path() / PARSE_STATES / (hashlib.sha256(key.encode()).hexdigest()[:16] + ".msgpack")


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` for the duration, as it was afterwards (dbt reads env_var() and its
    DBT_* settings from the process environment)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt(
    args: Sequence[str],
    url: str | None = None,
    on_node: Callable[[str, str, float], None] | None = None,
    build_env: dict[str, str] | None = None,
) -> BuildResult:
    """Invoke dbt with the project's profile; raise BuildFailed when dbt does not succeed. `build_env`:
    the values of BUILD_ENV for this run (unset otherwise, so a run by hand takes the defaults)."""
    from dbt.cli.main import dbtRunner

    url = url or require_url()
    root = str(project_root())
    args = with_settings_vars(args)
    state = _parse_state(url, args)
    if state.is_file():
        args = [*args, "--partial-parse-file-path", str(state)]
    result = BuildResult(seconds=0.0)

    def callback(event) -> None:
        name = event.info.name
        if name == "UnableToPartialParse":
            result.reparsed = True
        if name == "NodeFinished":
            node = event.data.node_info
            status, elapsed = node.node_status, 0.0
            with contextlib.suppress(AttributeError, TypeError, ValueError):
                elapsed = float(event.data.run_result.execution_time)
            result.nodes.append((node.unique_id, status, elapsed))
            message = getattr(event.data.run_result, "message", "") or ""
            if status in ("error", "fail", "runtime error"):
                result.failed_nodes.append(node.unique_id)
                if message:
                    result.errors.append(f"{node.unique_id}: {message}")
            if status == "warn":
                result.warnings += 1
            if on_node:
                on_node(node.unique_id, status, elapsed)

    started, wall = time.perf_counter(), time.time()
    runner = dbtRunner(callbacks=[callback])
    # the profile's connection values and the per-build values, for this run only (none leaks into the
    # process: a later configured_url() would read TELESALES_DB_* as a database of its own)
    values = dbt_env(url) | {name: "" for name in BUILD_ENV} | (build_env or {})
    with environment(values):
        res = runner.invoke([*args, "--project-dir", root, "--profiles-dir", root, "--quiet"])
    result.seconds = time.perf_counter() - started
    written = state.parent.parent / "partial_parse.msgpack"
    if written.is_file() and written.stat().st_mtime >= wall - 1:  # this run's parse (a failed build's too)
        state.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(written, state)
    if not res.success:
        detail = "; ".join(result.errors[:10]) or (str(res.exception) if res.exception else "see dbt logs")
        raise BuildFailed(f"DBT BUILD FAILED: {detail}", result.failed_nodes)
    return result


def _invariant_failed(failure: BuildFailed) -> bool:
    """True when an invariant test (data-tests/marts/assert_*) failed: a full refresh of what it covers
    can heal it. A model error (SQL, contract) is not healed: it would fail the same way."""
    return any(".assert_" in node for node in failure.failed_nodes)


# Database errors that a second attempt does not meet again: a deadlock (dbt's `comment on table` of a
# model against an autovacuum of the same table, seen at 5 M calls), a serialization failure, a lock wait
# that timed out. The failed model rolled back; the rerun is an ordinary next incremental build.
TRANSIENT_ERRORS = ("deadlock detected", "could not serialize access", "canceling statement due to lock timeout")


def _transient(failure: BuildFailed) -> bool:
    return any(marker in str(failure) for marker in TRANSIENT_ERRORS)


def build(
    url: str | None = None,
    full_refresh: bool = False,
    select: str | None = None,
    on_node: Callable[[str, str, float], None] | None = None,
    run: build_runs.BuildRun | None = None,
    whole_audit: bool | None = None,
) -> BuildResult:
    """Create the raw/ops schema if needed, then `dbt build` under an advisory lock.

    Write-audit-publish: dbt writes into `marts_next` (a second copy of the marts, one build behind),
    its tests and the in-step check audit it, and only a build that passes is published as `marts`
    (warehouse_state.publish). The cutoff (database clock before dbt reads raw) bounds every check
    against raw and is recorded with each publish (ops.warehouse_builds). An incremental build that leaves the facts out of
    step with raw (rows deleted, or replicated late with an old updated_at) or fails an invariant test is
    healed once by a full refresh (after one more incremental attempt when it failed on a transient
    database error, TRANSIENT_ERRORS); if that fails too, the build fails (and alarms) instead of looping.
    The tests of an incremental build audit the periods it touched, or every row when `whole_audit` (by
    default: when telesales_build.audit says a whole audit is due); a full refresh audits every row.
    The build ends with its row in ops.build_runs (success or failed; `run` when the caller made one).
    A database error outside dbt (the set-up, the checks, the publish: a lost connection, a Citus worker
    down) fails the build like a dbt error, "DBT BUILD FAILED" and all, never a bare traceback.
    """
    url = url or require_url()
    run = run or build_runs.BuildRun()
    run.full_refresh, run.selection = full_refresh, select
    try:
        return _locked_build(url, full_refresh, select, on_node, run, whole_audit)
    except psycopg.Error as exc:
        failure = BuildFailed(f"DBT BUILD FAILED: database error: {type(exc).__name__}: {str(exc).strip()}")
        with contextlib.suppress(psycopg.Error):
            build_runs.record(url, run, "failed")
        raise failure from exc


def _locked_build(
    url: str,
    full_refresh: bool,
    select: str | None,
    on_node: Callable[[str, str, float], None] | None,
    run: build_runs.BuildRun,
    whole_audit: bool | None,
) -> BuildResult:
    ensure_schema(url)
    with psycopg.connect(url, autocommit=True) as lock_conn:
        got = lock_conn.execute("select pg_try_advisory_lock(hashtext(%s))", (BUILD_LOCK_KEY,)).fetchone()[0]
        if not got:
            raise BuildLocked("another dbt build is running on this database; try again when it ends")
        try:
            result = _build_holding_lock(url, full_refresh, select, on_node, whole_audit)
        except BuildFailed:
            build_runs.record(url, run, "failed")
            raise
        run.full_refresh = run.full_refresh or result.full_refresh_fallback
        build_runs.record(url, run, "success")
        return result


def _dbt_build(
    url: str, select: str | None, full_refresh: bool, on_node, whole_audit: bool = True
) -> tuple[BuildResult, datetime]:
    """dbt build into the building copy of the marts (never the served one); the cutoff is taken first."""
    prepare_building_copy(url)
    cutoff = database_now(url)
    args = ["build", *(["--select", select] if select else []), *(["--full-refresh"] if full_refresh else [])]
    scope = audit.WHOLE if whole_audit or full_refresh else audit.CHANGED
    args += ["--vars", json.dumps({"marts_schema": BUILDING})]
    values = {
        "TELESALES_BUILD_CUTOFF": cutoff.isoformat(),
        "TELESALES_BUILD_CHECKED_BEFORE": checked_before(cutoff).isoformat(),
        "TELESALES_AUDIT_SCOPE": scope,
    }
    return run_dbt(args, url=url, on_node=on_node, build_env=values), cutoff


def _publish(url: str, cutoff: datetime, full_refresh: bool, whole_audit: bool = True) -> None:
    publish(url, cutoff, full_refresh, whole_audit or full_refresh)
    if full_refresh:
        # The copy that was served until now is not the next build's base any more (a full refresh may
        # follow a raw reload): the next build starts from a copy of what was just published.
        reset_building_copy(url)


def _build_holding_lock(
    url: str,
    full_refresh: bool,
    select: str | None,
    on_node: Callable[[str, str, float], None] | None,
    whole_audit: bool | None = None,
) -> BuildResult:
    """The build itself (the caller holds the advisory lock): write, audit, publish; healed once."""
    if select:
        # A partial build: its models are not consistent with the others, so it is not published.
        result = _dbt_build(url, select, full_refresh, on_node)[0]
        print(f"built {select} into {BUILDING} (not published: the next complete build publishes)", file=sys.stderr)
        return result
    if full_refresh:
        result, cutoff = _dbt_build(url, None, True, on_node)
        _publish(url, cutoff, True)
        return result
    if lead_block_size_changed(url) or lead_block_size_changed(url, BUILDING):
        print("the lead block size changed (TELESALES_LEAD_BLOCK_BITS): full refresh", file=sys.stderr)
        result, cutoff = _dbt_build(url, None, True, on_node)
        _publish(url, cutoff, True)
        result.full_refresh_fallback = True
        return result
    cutoff = database_now(url)
    whole = audit.whole_audit_due(url) if whole_audit is None else whole_audit
    failure: BuildFailed | None = None
    for attempt in (1, 2):
        try:
            result, cutoff = _dbt_build(url, None, False, on_node, whole)
            failure = None
        except BuildFailed as exc:
            failure = exc
            if attempt == 1 and _transient(exc):
                print(f"transient database error, the incremental build runs again: {exc}", file=sys.stderr)
                continue
        break
    in_step = facts_in_step(url, checked_before(cutoff), BUILDING)
    if failure is None and in_step:
        _publish(url, cutoff, False, whole)
        return result
    if failure is not None and in_step and not _invariant_failed(failure):
        raise failure
    reason = "an invariant test failed" if in_step else "marts out of step with raw (rows deleted or replicated late)"
    print(f"{reason}: full refresh", file=sys.stderr)
    healed, cutoff = _dbt_build(url, None, True, on_node)
    _publish(url, cutoff, True)
    healed.full_refresh_fallback = True
    return healed


def print_progress(node: str, status: str, seconds: float) -> None:
    kind, _, rest = node.partition(".")
    name = rest.split(".", 1)[-1]
    print(f"  {status:<7} {kind:<10} {name:<70} {seconds:7.2f}s", file=sys.stderr, flush=True)
