"""`telesales-reports cluster up|status|down` end to end, in a data folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg


def _cli(args: list[str], data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "TELESALES_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "telesales_dev.cli", "cluster", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_cluster_up_status_down(citus_cluster, tmp_path):
    # citus_cluster has built Citus into the embedded PostgreSQL; this cluster is a second, smaller one
    up = _cli(["up", "--workers", "1"], tmp_path)
    try:
        assert up.returncode == 0, up.stderr
        url = up.stdout.strip().splitlines()[-1]
        assert url.startswith("postgresql://postgres@127.0.0.1:") and url.endswith("/telesales")
        with psycopg.connect(url) as conn:
            assert conn.execute("select extversion from pg_extension where extname = 'citus'").fetchone() == ("14.0-1",)
            workers = conn.execute("select count(*) from citus_get_active_worker_nodes()").fetchone()[0]
            assert workers == 1
            conn.execute("create table t (tenant_id bigint, v int)")
            conn.execute("select create_distributed_table('t', 'tenant_id')")
            conn.commit()

        # up again: already running, same URL; a second worker joins the running cluster
        again = _cli(["up", "--workers", "2"], tmp_path)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip().splitlines()[-1] == url
        with psycopg.connect(url) as conn:
            assert conn.execute("select count(*) from citus_get_active_worker_nodes()").fetchone()[0] == 2

        status = _cli(["status"], tmp_path)
        assert status.returncode == 0, status.stderr
        lines = status.stdout.strip().splitlines()
        assert lines[0].split() == ["node", "address", "running", "shards", "tables"]
        rows = {line.split()[0]: line.split() for line in lines[1:]}
        assert set(rows) == {"coordinator", "worker1", "worker2"}
        assert all(row[2] == "yes" for row in rows.values())
        # table t: 8 shards, all on worker1 (worker2 joined after it was distributed)
        assert rows["worker1"][3:] == ["8", "1"] and rows["coordinator"][3:] == ["0", "0"]
    finally:
        down = _cli(["down"], tmp_path)
    assert down.returncode == 0, down.stderr
    assert down.stdout.strip() == "stopped: coordinator, worker1, worker2"
    status = _cli(["status"], tmp_path)
    assert [line.split()[2] for line in status.stdout.strip().splitlines()[1:]] == ["NO", "NO", "NO"]
    with_no_cluster = _cli(["status"], tmp_path / "elsewhere")
    assert with_no_cluster.returncode == 1 and "cluster up" in with_no_cluster.stderr
