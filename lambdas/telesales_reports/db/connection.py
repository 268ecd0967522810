"""The Lambda's database connection: one reused connection, read-only transactions, timeouts.

Faults (server down, statement timeout, a mart not built) become `ServiceUnavailable`; the caller
answers 503. The connection survives a timed-out statement and is re-opened after a broken one.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import dict_row

from ..settings import get_settings


class ServiceUnavailable(Exception):
    """The database is unreachable, too slow, or a mart is missing."""


_lock = threading.Lock()
_conn: psycopg.Connection | None = None
_url: str | None = None


def _resolve_url() -> str:
    """DATABASE_URL, else the Secrets Manager secret (RDS JSON); neither is a fault (503).

    The developer tools (local API, CLI, tests) resolve their database first and pass it to `reset`."""
    global _url
    if _url:
        return _url
    settings = get_settings()
    if settings.database_url:
        _url = settings.database_url
    elif settings.database_secret_arn:
        _url = url_from_secret(settings.database_secret_arn)
    else:
        raise ServiceUnavailable("no database configured: set DATABASE_URL or DATABASE_SECRET_ARN")
    return _url


def url_from_secret(secret_arn: str) -> str:
    """Build a PostgreSQL URL from an RDS-style Secrets Manager secret (host, port, username, ...)."""
    import boto3
    from psycopg.conninfo import make_conninfo

    value = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    settings = get_settings()
    # In AWS the database only accepts the RDS Proxy: its endpoint replaces the secret's host, over TLS.
    proxy = settings.database_proxy_endpoint
    return make_conninfo(
        host=proxy or value["host"],
        sslmode=settings.database_sslmode or ("require" if proxy else "prefer"),
        port=str(value.get("port", 5432)),
        user=value["username"],
        password=value["password"],
        dbname=value.get("dbname", "postgres"),
    )


def reset(url: str | None = None) -> None:
    """Forget the current connection (and optionally point at another database); used by tests."""
    global _conn, _url
    with _lock:
        if _conn is not None and not _conn.closed:
            _conn.close()
        _conn = None
        _url = url


def _connection() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed or _conn.broken:
        settings = get_settings()
        try:
            _conn = psycopg.connect(
                _resolve_url(),
                connect_timeout=settings.connect_timeout_s,
                autocommit=False,
                row_factory=dict_row,
                application_name="telesales-reports-api",
            )
        except psycopg.Error as exc:
            _conn = None
            raise ServiceUnavailable("database unreachable") from exc
    return _conn


def _usable_connection() -> psycopg.Connection:
    """The reused connection, checked with a round trip; a stale one (server restarted, proxy idle
    timeout) is replaced once, so the request that finds it broken still succeeds."""
    conn = _connection()
    try:
        conn.execute("select 1")
        conn.rollback()
    except (psycopg.OperationalError, psycopg.InterfaceError):
        _discard(conn)
        conn = _connection()
    return conn


@contextmanager
def _transaction(read_only: bool, timeout_ms: int) -> Iterator[psycopg.Connection]:
    """A transaction on the reused connection with a statement timeout; every fault becomes
    ServiceUnavailable, and a connection that broke is dropped so the next request reconnects."""
    with _lock:
        conn = _usable_connection()
        try:
            with conn.transaction():
                if read_only:
                    conn.execute("set transaction read only")
                # Report queries are short: JIT compilation would only add latency.
                conn.execute(
                    "select set_config('statement_timeout', %s, true), set_config('jit', 'off', true)",
                    (str(timeout_ms),),
                )
                yield conn
        except (pg_errors.QueryCanceled, pg_errors.UndefinedTable, pg_errors.UndefinedColumn) as exc:
            raise ServiceUnavailable(type(exc).__name__) from exc
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            _discard(conn)
            raise ServiceUnavailable("database connection lost") from exc


def read_only() -> contextlib.AbstractContextManager[psycopg.Connection]:
    """A read-only transaction with the statement timeout (the report API)."""
    return _transaction(read_only=True, timeout_ms=get_settings().statement_timeout_ms)


def read_write() -> contextlib.AbstractContextManager[psycopg.Connection]:
    """A read-write transaction with a longer timeout (the snapshot job)."""
    return _transaction(read_only=False, timeout_ms=get_settings().statement_timeout_ms * 6)


def _discard(conn: psycopg.Connection) -> None:
    global _conn
    with contextlib.suppress(Exception):  # closing a broken connection must never mask the fault
        conn.close()
    _conn = None
