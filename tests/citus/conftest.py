"""Suites re-run against a local Citus cluster (a coordinator and two workers on loopback ports).

The fixtures of tests/conftest.py are redefined here so that every database a re-run suite creates
is a Citus database (the extension on every node, the workers registered): `server_url`,
`fresh_database`, `empty_db` and `contract_db` (its own session copy, built on the cluster). The
`test_*_on_citus.py` modules import a suite's tests, which then run with these fixtures.

Citus is compiled into the embedded PostgreSQL on first use from TELESALES_CITUS_SOURCE or
../shared/vendor/citus/ (about a minute); the cluster lives in .data/citus/ and is stopped at the
end of the session when this session started it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from telesales_dev import cluster
from tests.conftest import make_contract_db, make_empty_db


@pytest.fixture(scope="session")
def citus_cluster() -> Iterator[cluster.ClusterState]:
    state = cluster.load_state()
    was_running = state is not None and all(cluster._running(port) for port in state.ports)
    state = cluster.up(workers=2) if not was_running else state
    yield state
    if not was_running:
        cluster.down()


@pytest.fixture(scope="session")
def server_url(citus_cluster: cluster.ClusterState) -> str:
    return citus_cluster.url()


@pytest.fixture(scope="session")
def fresh_database(citus_cluster: cluster.ClusterState):
    """Factory: a new Citus database (unique name) on the cluster; dropped at the end of the session."""
    created: list[str] = []

    def make(label: str) -> str:
        name = f"ts_citus_{label}_{os.getpid()}"
        url = cluster.create_database(name, citus_cluster, replace=True)
        created.append(name)
        return url

    yield make
    for name in created:
        cluster.drop_database(name, citus_cluster)


@pytest.fixture(scope="session")
def empty_db(fresh_database) -> Iterator[str]:
    yield make_empty_db(fresh_database)


@pytest.fixture(scope="session")
def contract_db(fresh_database) -> str:
    return make_contract_db(fresh_database)
