"""Shared fixtures: a real PostgreSQL database per test session (embedded or DATABASE_URL)."""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest

from telesales_build.connection_url import configured_url
from telesales_build.paths import data_dir, project_root
from telesales_dev.embedded_db import database_url
from telesales_reports.db import connection as db
from tests.contract_data import contract_rows

os.environ.setdefault("DO_NOT_TRACK", "1")
# Blocks of 8 lead ids in agg_agent_lead_blocks (DECISIONLOG 75): the test data's few hundred leads then
# span many blocks, whole, straddling and with calls after a window's end; with production's 4,096 they
# would all share one. test_agent_bitmaps.py also builds with the default.
os.environ.setdefault("TELESALES_LEAD_BLOCK_BITS", "3")


def pytest_configure(config: pytest.Config) -> None:
    """A parallel worker (pytest-xdist, as `bash run test` runs the suite) gets an embedded PostgreSQL
    and a Citus cluster of its own (a data folder per worker) and its own dbt target and log folders:
    the suites create, rename and drop cluster-wide roles and terminate backends, and every dbt run
    rewrites its target folder's manifest and compiled SQL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    if configured_url():
        raise pytest.UsageError(
            "parallel test workers each start an embedded PostgreSQL: unset DATABASE_URL"
            " (and TELESALES_DB_*) or run one process (-n 0)"
        )
    os.environ["TELESALES_DATA_DIR"] = str(data_dir() / "workers" / worker)
    os.environ["DBT_TARGET_PATH"] = str(project_root() / "target" / "workers" / worker)
    os.environ["DBT_LOG_PATH"] = str(project_root() / "logs" / "workers" / worker)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every item's node ID names it whole, and no two items share one. schemathesis' items (test_fuzz.py, one per operation) come
    out of pytest 9.2 with the bare function's ID, 13 items under one ID; pytest-xdist schedules by ID
    and ran only one of them. The ID gets the item's name, as pytest's own parametrized items have."""
    for item in items:
        if item.nodeid.rpartition("::")[2] != item.name:
            item._id = item.parent.id.child(item.name)  # how pytest names a node from its parent
    shared = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if shared:  # a parallel run would silently run one item of each
        raise pytest.UsageError(f"test items share a node ID: {shared[:5]}")


def _with_dbname(url: str, dbname: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/" + dbname))


def make_empty_db(fresh_database) -> str:
    from telesales_build.bootstrap import ensure_schema

    url = fresh_database("empty")
    ensure_schema(url)
    return url


def make_contract_db(fresh_database) -> str:
    from telesales_build.bootstrap import ensure_schema
    from tests.support import build_db

    url = fresh_database("contract")
    ensure_schema(url)
    contract_rows().load(url)
    build_db(url)
    return url


@pytest.fixture(scope="session")
def server_url() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return database_url()


@pytest.fixture(scope="session")
def fresh_database(server_url: str):
    """Factory: create an empty database with a unique name and return its URL; dropped at the end."""
    created: list[str] = []

    def make(label: str) -> str:
        name = f"ts_test_{label}_{os.getpid()}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f'create database "{name}"')
        created.append(name)
        return _with_dbname(server_url, name)

    yield make
    with psycopg.connect(server_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def empty_db(fresh_database) -> Iterator[str]:
    """A database with only the project's raw/ops schema created."""
    yield make_empty_db(fresh_database)


@pytest.fixture(scope="session")
def contract_db(fresh_database) -> str:
    """The contract dataset (tests/contract_data.py) loaded and built by dbt; shared by every suite."""
    return make_contract_db(fresh_database)


@pytest.fixture
def api(contract_db: str) -> str:
    """Point the handler's connection at the contract database for this test, logged in as the API's
    own login (telesales_api: row-level security binds it to the request's tenant, as in AWS)."""
    from tests.support import api_url

    db.reset(api_url(contract_db))
    return contract_db
