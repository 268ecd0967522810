"""ops.build_runs: one row per build attempt, so operators and the API can tell how fresh the marts are.

A row is written when a build ends (success or failed, by `dbt_runner.build`) or is refused because
another build holds the lock (skipped, by the scheduled build). The API sends the `finished_at` of the
newest successful full build as `X-Warehouse-Built-At` (DECISIONLOG, Operations). Rows older than
90 days are pruned when a new one is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import psycopg

Outcome = Literal["success", "failed", "skipped"]

INSERT = """
insert into ops.build_runs
    (run_id, started_at, finished_at, outcome, full_refresh, selection, source_freshness, artifacts_uri)
values
    (%(run_id)s, %(started_at)s, %(finished_at)s, %(outcome)s, %(full_refresh)s, %(selection)s,
     %(source_freshness)s, %(artifacts_uri)s)
on conflict (run_id) do update set
    -- a second write only attaches what came after the build (its artifacts): the end time stays
    source_freshness = coalesce(excluded.source_freshness, ops.build_runs.source_freshness),
    artifacts_uri = coalesce(excluded.artifacts_uri, ops.build_runs.artifacts_uri)
"""
PRUNE = "delete from ops.build_runs where finished_at < now() - interval '90 days'"


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class BuildRun:
    """One build attempt; `run_id` also names its artifacts folder in S3."""

    started_at: datetime = field(default_factory=now)
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    full_refresh: bool = False
    selection: str | None = None
    source_freshness: str | None = None
    artifacts_uri: str | None = None


def record(url: str, run: BuildRun, outcome: Outcome) -> None:
    """Write the run's row, finished now; for a run already written, attach its artifacts URI."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            INSERT,
            {
                "run_id": run.run_id,
                "started_at": run.started_at,
                "finished_at": now(),
                "outcome": outcome,
                "full_refresh": run.full_refresh,
                "selection": run.selection,
                "source_freshness": run.source_freshness,
                "artifacts_uri": run.artifacts_uri,
            },
        )
        conn.execute(PRUNE)
