"""Test support: hand-built raw rows, API Gateway v2 events, and a dbt build of a test database."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from telesales_build.dbt_runner import build
from telesales_dev.embedded_db import api_login_url
from telesales_dev.events import LambdaContext, http_api_event, query_string, tenant_claims
from telesales_reports.api.handler import lambda_handler
from telesales_reports.db import connection as db

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def python_prints(code: str, **env: str) -> str:
    """What `code` prints (stripped) in a fresh interpreter (this one's environment plus `env`): what an
    import loads is only visible in a process that imported nothing before."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=dict(os.environ, **env)
    )
    return out.stdout.strip()


def ts(text: str) -> datetime:
    """'2026-06-01 09:00' or with seconds, UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if "+" not in text else datetime.fromisoformat(text)


class Raw:
    """Collects raw rows with contract defaults, then inserts them in one go."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}
        self._call_id = 0
        self._lead_id = 0

    def add(self, table: str, **row: Any) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def tenant(self, id: int, name: str = "Tenant") -> None:
        self.add("tenants", id=id, name=f"{name} {id}")

    def campaign(self, id: int, tenant_id: int, name: str = "Campaign", status: str = "active", limit=None) -> None:
        self.add(
            "campaigns",
            id=id,
            tenant_id=tenant_id,
            name=name,
            status=status,
            abandon_limit_pct=limit,
            created_at=T0,
            updated_at=T0,
        )

    def team(self, id: int, tenant_id: int, name: str = "Team") -> None:
        self.add("teams", id=id, tenant_id=tenant_id, name=name)

    def agent(self, id: int, tenant_id: int, name: str, username: str, team_id: int | None = None) -> None:
        self.add(
            "users",
            id=id,
            tenant_id=tenant_id,
            team_id=team_id,
            name=name,
            username=username,
            created_at=T0,
            updated_at=T0,
        )

    def disposition(self, tenant_id: int, code: str, label: str, category: str, color: str, conv: bool = False) -> None:
        self.add(
            "dispositions",
            tenant_id=tenant_id,
            code=code,
            label=label,
            category=category,
            color=color,
            is_conversion=conv,
        )

    def caller_id(self, tenant_id: int, cid: str, **kw: Any) -> None:
        row = dict(
            tenant_id=tenant_id,
            cid=cid,
            display_name=None,
            carrier="viettel",
            cli_type="mobile",
            pool_status="active",
            cooldown_until=None,
            daily_cap=200,
            created_at=T0,
            updated_at=T0,
        )
        row.update(kw)
        self.add("caller_ids", **row)

    def lead(self, tenant_id: int, campaign_id: int, created_at: str, source: str | None = "web", id=None) -> int:
        self._lead_id = id or self._lead_id + 1
        self.add(
            "leads",
            id=self._lead_id,
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            source=source,
            phone="0900000000",
            created_at=ts(created_at),
            updated_at=ts(created_at),
        )
        return self._lead_id

    def call(self, tenant_id: int, campaign_id: int, started_at: str, result: str = "connected", **kw: Any) -> int:
        self._call_id = kw.pop("id", None) or self._call_id + 1
        started = ts(started_at)
        row = dict(
            id=self._call_id,
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            lead_id=None,
            agent_id=None,
            team_id=None,
            caller_id=None,
            started_at=started,
            answered_at=started if result in ("connected", "abandoned", "voicemail") else None,
            ended_at=None,
            result=result,
            block_reason=None,
            talk_sec=0,
            hold_sec=0,
            wrap_sec=0,
            disposition_code=None,
            updated_at=started,
        )
        row.update(kw)
        self.add("calls", **row)
        return self._call_id

    def load(self, url: str, truncate: bool = True) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            if truncate:
                conn.execute(
                    "truncate raw.tenants, raw.campaigns, raw.teams, raw.users, raw.dispositions, raw.leads,"
                    " raw.caller_ids, raw.calls, ops.abandon_rate_snapshots"
                )
            for table, rows in self.rows.items():
                cols = list(rows[0])
                with conn.cursor().copy(f"copy raw.{table} ({', '.join(cols)}) from stdin") as copy:
                    for row in rows:
                        copy.write_row([row.get(c) for c in cols])
        self.rows = {}


@functools.lru_cache
def api_url(url: str) -> str:
    """`url`'s database as the API's own login (telesales_api, bound by row-level security)."""
    return api_login_url(url)


def build_db(url: str, full_refresh: bool = False) -> None:
    build(url, full_refresh=full_refresh)
    db.reset(url)


def event(path: str, params: list[tuple[str, str]] | dict | None = None, tenant: Any = 1, method: str = "GET") -> dict:
    """An API Gateway HTTP API (v2) event as the JWT authorizer passes it."""
    pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
    return http_api_event(method, path, query_string(pairs), claims=tenant_claims(tenant, "u1"), request_id="req-1")


def call(report: str, params: list[tuple[str, str]] | dict | None = None, tenant: Any = 1) -> tuple[int, Any]:
    """Invoke the real Lambda handler; return (status, parsed JSON body or raw response)."""
    path = report if report.startswith("/") else f"/api/telesales/reports/{report}"
    response = lambda_handler(event(path, params, tenant), LambdaContext("req-1"))
    body = response.get("body")
    if response.get("isBase64Encoded") or not str(response.get("headers", {}).get("Content-Type", "")).startswith(
        "application/json"
    ):
        return response["statusCode"], response
    return response["statusCode"], json.loads(body) if body else None


def data(report: str, params: list[tuple[str, str]] | dict | None = None, tenant: Any = 1) -> Any:
    status, body = call(report, params, tenant)
    assert status == 200, body
    return body["data"]


def tenant_role(conn: psycopg.Connection, tenant: int) -> str:
    """The group role of a tenant's BI logins (docs/bi-access.md), created when missing. Roles belong to
    the server, not a database: several test databases share it, and it stays."""
    name = f"telesales_tenant_{tenant}"
    create = sql.SQL("create role {} nologin in role telesales_tenant_reader").format(sql.Identifier(name))
    if not conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone():
        conn.execute(create)
    if conn.execute("select 1 from pg_extension where extname = 'citus'").fetchone():
        # Citus copies a role to a worker added later only from the database the role was made in; the
        # test databases come and go, so make sure every worker has it (where it exists: a no-op error)
        conn.execute("select run_command_on_workers(%s)", (create.as_string(conn),))
    return name
