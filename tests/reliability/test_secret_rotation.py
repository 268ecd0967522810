"""The database secret rotates under a running API (fault): no request fails.

Secrets Manager's alternating-users rotation switches the secret to the second login, and the first
one stops working once its password is changed; here it is simply made NOLOGIN (the embedded server
trusts local connections, so a stale password alone would not fail). The API's connection is then
dropped, as an RDS Proxy idle timeout or a restart does: the next request must log in with the new
secret, read again on the failed login (DECISIONLOG 52).
"""

from __future__ import annotations

import json
import os
import secrets

import boto3
import psycopg
import pytest
from moto import mock_aws
from psycopg import sql

from telesales_build.connection_url import parse_url
from telesales_reports.db import connection as db
from telesales_reports.settings import get_settings
from tests.support import api_url, call

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}


@pytest.fixture
def two_logins(contract_db):
    prefix = f"ts_rot_{os.getpid()}_{secrets.token_hex(3)}"
    names = (f"{prefix}_a", f"{prefix}_b")
    with psycopg.connect(contract_db, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("create role {} login in role telesales_api").format(sql.Identifier(name)))
        try:
            yield names
        finally:
            for name in names:
                conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (name,))
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def _secret(url: str, username: str) -> str:
    parts = parse_url(url)
    return json.dumps(
        {"host": parts.host, "port": parts.port, "username": username, "password": "rotated", "dbname": parts.dbname}
    )


def test_a_rotated_secret_costs_no_failed_request(contract_db, two_logins, monkeypatch):
    first, second = two_logins
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        client = boto3.client("secretsmanager")
        arn = client.create_secret(Name="telesales/api", SecretString=_secret(contract_db, first))["ARN"]
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("DATABASE_SECRET_ARN", arn)
        get_settings.cache_clear()
        db.reset()
        try:
            status, body = call("dashboard", DAY)
            assert status == 200, body
            # Rotation: the secret now names the second login; the first can no longer log in.
            client.put_secret_value(SecretId=arn, SecretString=_secret(contract_db, second))
            with psycopg.connect(contract_db, autocommit=True) as admin:
                admin.execute(sql.SQL("alter role {} nologin").format(sql.Identifier(first)))
                admin.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (first,))
            status, body = call("dashboard", DAY)
            assert status == 200, body
            with psycopg.connect(contract_db) as admin:
                users = admin.execute(
                    "select usename from pg_stat_activity where application_name = 'telesales-reports-api'"
                    " and datname = current_database()"
                ).fetchall()
            assert (second,) in users
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
            db.reset(api_url(contract_db))
