"""docs/bi-guide.md: every worked query returns exactly what the API returns for the request above it.

The queries run as a tenant-scoped BI login (a member of telesales_tenant_1), as a
customer's BI tool would, on the contract warehouse.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from telesales_build.paths import project_root
from tests.support import data, tenant_role

GUIDE = project_root() / "docs" / "bi-guide.md"
EXAMPLE = re.compile(r"<!-- check: (\S+) -->\s*```sql\n(.*?)```", re.S)
# Read live from raw by the API, not in the marts (the guide says so).
LIVE_ONLY = {"caller-id-health": {"health_calls_today"}}


def examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_one_checked_example_per_report() -> None:
    from telesales_reports.reports.registry import REPORTS

    reports = [request.split("?", 1)[0] for request, _ in examples()]
    assert sorted(reports) == sorted(REPORTS)


@pytest.fixture(scope="module")
def tenant_login(contract_db: str) -> Iterator[str]:
    name = f"ts_guide_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(contract_db, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create role {} login in role {}").format(
                sql.Identifier(name), sql.Identifier(tenant_role(conn, 1))
            )
        )
        try:
            yield name
        finally:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def run_as(url: str, login: str, query: str) -> list[dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        conn.execute("set timezone = 'America/New_York'")  # the guide's literals carry their offsets
        conn.execute(sql.SQL("set session authorization {}").format(sql.Identifier(login)))
        return conn.execute(query).fetchall()


def same(api_value: Any, sql_value: Any) -> bool:
    """A string must print exactly (decimal strings carry their places); a number must be equal."""
    if isinstance(api_value, str) or api_value is None or isinstance(api_value, bool):
        return api_value == (str(sql_value) if isinstance(sql_value, int | Decimal) else sql_value)
    return Decimal(str(api_value)) == Decimal(str(sql_value))


def assert_rows_match(report: str, api_rows: list[dict], sql_rows: list[dict]) -> None:
    assert len(sql_rows) == len(api_rows), (report, sql_rows, api_rows)
    for api_row, sql_row in zip(api_rows, sql_rows, strict=True):
        assert set(sql_row) == set(api_row) - LIVE_ONLY.get(report, set()), report
        for key, value in sql_row.items():
            assert same(api_row[key], value), (report, key, api_row[key], value)


@pytest.mark.parametrize(("request_", "query"), examples(), ids=[r.split("?")[0] for r, _ in examples()])
def test_worked_example_returns_the_api_numbers(api: str, tenant_login: str, request_: str, query: str) -> None:
    report, _, query_string = request_.partition("?")
    params = [(k, unquote(v)) for k, v in parse_qsl(query_string, keep_blank_values=True)]
    answer = data(report, params)
    if report == "abandon-rate":
        current = answer["current"]
        times = re.findall(r"'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\+00'", query)
        assert len(times) == 2, "the abandon-rate example takes a window_from and a window_to"
        for old, new in zip(times, (current["window_from"], current["window_to"]), strict=True):
            query = query.replace(f"'{old}+00'", f"'{new}+00'")
        assert current["attempts_total"] > 0  # the comparison covers real calls
        api_rows = [{k: current[k] for k in ("attempts_total", "attempts_abandoned", "abandon_rate_pct")}]
    else:
        api_rows = answer if isinstance(answer, list) else [answer]
    sql_rows = run_as(api, tenant_login, query)
    assert_rows_match(report, api_rows, sql_rows)
    # Not vacuous: the window has calls.
    assert any(isinstance(v, int) and v > 0 for row in api_rows for v in row.values()), report
