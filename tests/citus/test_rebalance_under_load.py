"""Growing the cluster: a worker joins and the shards are rebalanced onto it while loopback clients
keep requesting reports from the local API. Zero errors, and every answer, during and after, equals
the answer from before."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import psycopg

from telesales_dev import cluster
from telesales_reports.db import connection as db
from tests.reliability.conftest import live_api  # noqa: F401  (fixture, on the Citus contract database)

CLIENTS = 3
MAX_SECONDS = 240
REQUESTS = [
    (1, "dashboard?date_from=2026-06-01&date_to=2026-06-01"),
    (1, "agent-performance?date_from=2026-06-01&date_to=2026-06-01&timezone=Asia/Kathmandu"),
    (1, "funnel?date_from=2026-06-01&date_to=2026-06-01&agent_ids[]=5"),
    (1, "time-series?date_from=2026-05-01&date_to=2026-06-29&group_by=week"),
    (1, "caller-id-health?date_from=2026-06-01T09:10:11Z&date_to=2026-06-01T17:00:00Z&campaign_id=43"),
    (2, "dashboard?date_from=2026-06-01&date_to=2026-06-01"),
    (2, "disposition-breakdown?date_from=2026-06-01&date_to=2026-06-01"),
    (2, "lead-source-attribution?date_from=2026-06-01&date_to=2026-06-01"),
]


def fetch(api, tenant: int, path: str) -> tuple[int, object]:
    request = urllib.request.Request(f"{api.base}/{path}", headers=api.auth(tenant))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def shards_per_node(url: str) -> dict[int, int]:
    """Distributed shards per worker port (reference tables, one copy per node, left out)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select nodeport, count(*) from citus_shards where citus_table_type = 'distributed' group by nodeport"
        ).fetchall()
    return dict(rows)


def test_worker_joins_and_shards_rebalance_while_the_api_serves(live_api, citus_cluster):  # noqa: F811
    db.reset(live_api.database_url)
    url = live_api.database_url
    expected = {(t, p): fetch(live_api, t, p) for t, p in REQUESTS}
    assert all(status == 200 for status, _ in expected.values()), expected

    stop = threading.Event()
    outcomes: Counter = Counter()
    wrong: list = []

    def client(offset: int) -> None:
        i = offset
        while not stop.is_set():
            key = REQUESTS[i % len(REQUESTS)]
            i += 1
            got = fetch(live_api, *key)
            outcomes["ok" if got == expected[key] else "wrong"] += 1
            if got != expected[key]:
                wrong.append((key, got))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    try:
        time.sleep(1)  # the load is running before the cluster changes
        # a new worker process, registered in this database, then the shards moved onto it
        port = cluster.start_worker(citus_cluster)
        cluster.create_database(url.rsplit("/", 1)[-1], citus_cluster)
        before = shards_per_node(url)
        assert before.get(port, 0) == 0
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("select rebalance_table_shards(shard_transfer_mode => 'block_writes')")
        after = shards_per_node(url)
        served_during = sum(outcomes.values())
        time.sleep(1)  # and keeps running on the new placement
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=MAX_SECONDS)
    elapsed = time.monotonic() - started
    print(f"\nrebalance under load: {sum(outcomes.values())} requests in {elapsed:.1f}s, {dict(outcomes)}")

    assert elapsed < MAX_SECONDS
    assert after.get(port, 0) > 0, after  # the new worker holds shards now
    assert sum(after.values()) == sum(before.values())
    assert served_during > len(REQUESTS), outcomes
    assert wrong == [] and outcomes["wrong"] == 0
    # and after the move, a fresh connection answers the same
    db.reset(url)
    assert {key: fetch(live_api, *key) for key in REQUESTS} == expected
