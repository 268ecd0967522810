"""The API on Citus: every report, export and filter shape answers exactly as on one PostgreSQL, and
every statement it sends that reads a Citus table is planned as a single-shard router query.

The handler runs against the contract data on the cluster, as the API's own login (row-level security
on the marts and raw, DECISIONLOG 52 and 60), while every statement it executes is recorded; each
recorded statement is then EXPLAINed (with its bound parameters) on the cluster, as that login with
the request's tenant set. A
router query is one Citus scan with one task and no sub-plans (no intermediate results, no
repartitioning): the tenant's shard answers it alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from telesales_dev.embedded_db import database_url
from telesales_reports.db import connection as db
from telesales_reports.reports.registry import DATED
from tests.conftest import make_contract_db
from tests.support import api_url, call

REPORTS = list(DATED)  # every dated report of the registry
DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
# Every filter shape, and windows that read each kind of rollup piece: whole UTC days (daily rollups),
# local days (15-minute slots), windows cut to the second (call facts at the edges), a long window.
SHAPES: list[dict] = [
    DAY,
    {**DAY, "campaign_id": "43"},
    {**DAY, "team_id": "7"},
    {**DAY, "agent_ids[]": "5"},
    {**DAY, "campaign_id": "43", "team_id": "7", "agent_ids[]": "5"},
    {**DAY, "timezone": "Asia/Kathmandu"},
    {"date_from": "2026-06-01T09:10:11Z", "date_to": "2026-06-01T17:05:00+07:00", "campaign_id": "43"},
    {"date_from": "2026-05-01", "date_to": "2026-06-29", "timezone": "America/New_York", "agent_ids[]": "5"},
]
EXTRA = [
    ("time-series", {**DAY, "group_by": "hour", "timezone": "Asia/Kolkata"}),
    # a zone name PostgreSQL also knows as an abbreviation, in summer time
    ("time-series", {**DAY, "group_by": "hour", "timezone": "CET"}),
    ("caller-id-health", {**DAY, "timezone": "CET"}),
    ("time-series", {"date_from": "2026-05-01", "date_to": "2026-06-29", "group_by": "week"}),
    ("abandon-rate", {"campaign_id": "43"}),
    ("abandon-rate", {"campaign_id": "43", "window_minutes": "90"}),
    ("filters", {}),
]
CASES = [(report, shape) for report in REPORTS for shape in SHAPES] + EXTRA


@pytest.fixture(scope="module")
def single_node_db() -> Iterator[str]:
    """The same contract data built on one PostgreSQL (the embedded server or DATABASE_URL)."""
    server = database_url()
    created: list[str] = []

    def make(label: str) -> str:
        name = f"ts_test_{label}_single_{os.getpid()}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f'create database "{name}"')
        created.append(name)
        return psycopg.conninfo.make_conninfo(server, dbname=name)

    yield make_contract_db(make)
    with psycopg.connect(server, autocommit=True) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@contextmanager
def recorded_statements() -> Iterator[list[tuple[object, object]]]:
    """Record every (query, params) executed through psycopg while the block runs."""
    seen: list[tuple[object, object]] = []
    original = psycopg.Cursor.execute

    def execute(self, query, params=None, **kwargs):
        seen.append((query, params))
        return original(self, query, params, **kwargs)

    psycopg.Cursor.execute = execute
    try:
        yield seen
    finally:
        psycopg.Cursor.execute = original


def _is_report_statement(query) -> bool:
    text = query if isinstance(query, str) else query.as_string(None)
    return not any(text.lstrip().lower().startswith(p) for p in ("select 1", "set ", "select set_config"))


def _citus_scans(plan: dict) -> Iterator[dict]:
    if plan.get("Custom Plan Provider", "").startswith("Citus"):
        yield plan
    for child in plan.get("Plans", []):
        yield from _citus_scans(child)


def explain(conn: psycopg.Connection, query, params) -> dict:
    prefix = sql.SQL("explain (format json) ")
    statement = prefix + (sql.SQL(query) if isinstance(query, str) else query)
    row = conn.execute(statement, params).fetchone()[0]
    return (row if isinstance(row, list) else json.loads(row))[0]["Plan"]


def _run(report: str, params: dict) -> tuple[int, object]:
    status, body = call(report, params)
    if report == "abandon-rate" and status == 200:
        # the live window ends at the request's second, which may tick between the two requests
        for key in ("window_from", "window_to"):
            body["data"]["current"].pop(key)
    return status, body


@pytest.mark.parametrize(("report", "params"), CASES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(CASES)])
def test_report_is_a_router_query_and_answers_as_on_one_node(contract_db, single_node_db, report, params):
    db.reset(single_node_db)
    expected = _run(report, params)
    db.reset(api_url(contract_db))  # the API's own login: row-level security on marts and raw
    with recorded_statements() as seen:
        got = _run(report, params)
    assert got == expected
    assert expected[0] == 200, expected

    statements = [(q, p) for q, p in seen if _is_report_statement(q)]
    assert statements, "the handler ran no report statement"
    routed = 0
    with psycopg.connect(api_url(contract_db)) as conn:
        conn.execute("set citus.propagate_set_commands = 'local'")
        conn.execute("set local telesales.tenant_id = '1'")
        for query, bound in statements:
            plan = explain(conn, query, bound)
            for scan in _citus_scans(plan):
                job = scan["Distributed Query"]["Job"]
                assert job["Task Count"] == 1, (report, params, query, job)
                assert "Subplans" not in scan["Distributed Query"], (report, params, query)
                routed += 1
    assert routed >= 1, f"{report} {params}: no statement read a Citus table"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("report", REPORTS)
def test_export_answers_as_on_one_node(contract_db, single_node_db, report, fmt):
    params = {**DAY, "campaign_id": "43", "format": fmt}
    db.reset(single_node_db)
    expected = call(f"{report}/export", params)
    db.reset(contract_db)
    got = call(f"{report}/export", params)
    assert got[0] == expected[0] == 200
    if fmt == "csv":
        assert got[1]["body"] == expected[1]["body"]
    else:
        from base64 import b64decode
        from io import BytesIO

        from openpyxl import load_workbook

        def cells(response) -> list:
            book = load_workbook(BytesIO(b64decode(response["body"])))
            return [[c.value for c in row] for sheet in book.worksheets for row in sheet.iter_rows()]

        assert cells(got[1]) == cells(expected[1])
