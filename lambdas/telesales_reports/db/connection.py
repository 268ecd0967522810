"""The Lambda's database connection: one reused connection, read-only transactions, timeouts.

Faults (server down, statement timeout, a mart not built) become `ServiceUnavailable`; the caller
answers 503. The connection survives a timed-out statement and is re-opened after a broken one.

A request runs under a deadline (`deadline()`, DECISIONLOG 51): the connect timeout and each
transaction's statement timeout are cut to the time left, and a watchdog cancels the running query
when the budget runs out, so the answer (or the contract's 503) always comes before API Gateway's.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.rows import dict_row, tuple_row

from ..settings import get_settings


class ServiceUnavailable(Exception):
    """The database is unreachable, too slow, or a mart is missing."""


_lock = threading.Lock()
_conn: psycopg.Connection | None = None
_url: str | None = None
_deadline: float | None = None  # time.monotonic() by which the current request must have its answer

# Below this much time left a query is not started: the answer is a 503 at once.
MIN_QUERY_MS = 50
# Every transaction resolves unqualified names in the system catalog only (DECISIONLOG 48).
SEARCH_PATH = "pg_catalog, pg_temp"


@contextmanager
def deadline(budget_ms: int) -> Iterator[None]:
    """Run the enclosed request within `budget_ms` milliseconds of database time and waiting."""
    global _deadline
    previous = _deadline
    _deadline = time.monotonic() + budget_ms / 1000
    try:
        yield
    finally:
        _deadline = previous


def remaining_ms() -> int | None:
    """Milliseconds left of the current request's budget (None: no deadline)."""
    if _deadline is None:
        return None
    return max(0, int((_deadline - time.monotonic()) * 1000))


def _time_left(ceiling_ms: int) -> int:
    """`ceiling_ms`, cut to the request's remaining budget; ServiceUnavailable when it is spent."""
    left = remaining_ms()
    if left is None:
        return ceiling_ms
    if left < MIN_QUERY_MS:
        raise ServiceUnavailable("request deadline reached")
    return min(ceiling_ms, left)


# The API's secret is re-read at most this often (seconds), and at once when a login fails: a rotated
# password (Secrets Manager rotates RDS secrets every 7 days by default) never fails a request.
SECRET_MAX_AGE_S = 300


def _resolve_url(refresh: bool = False) -> str:
    """DATABASE_URL, else the Secrets Manager secret (RDS JSON); neither is a fault (503).

    The developer tools (local API, CLI, tests) resolve their database first and pass it to `reset`.
    `refresh` re-reads the secret instead of using the cached copy (after a failed login)."""
    global _url
    if _url:
        return _url
    settings = get_settings()
    if settings.database_url:
        _url = settings.database_url
    elif settings.database_secret_arn:
        return url_from_secret(settings.database_secret_arn, refresh=refresh)  # cached (_secret_value)
    else:
        raise ServiceUnavailable("no database configured: set DATABASE_URL or DATABASE_SECRET_ARN")
    return _url


# Secrets read through the Lambda extension: {arn: (value, time.monotonic() when read)}.
_extension_secrets: dict[str, tuple[dict, float]] = {}
EXTENSION_TIMEOUT_S = 2.0


def _secret_from_extension(secret_arn: str, port: int) -> dict:
    """The secret's JSON from the AWS Parameters and Secrets Lambda Extension (local HTTP; the function's
    session token authenticates the call). Raises OSError or ValueError when it does not answer."""
    import json
    import os
    import urllib.request
    from urllib.parse import quote

    request = urllib.request.Request(
        f"http://localhost:{port}/secretsmanager/get?secretId={quote(secret_arn, safe='')}",
        headers={"X-Aws-Parameters-Secrets-Token": os.environ.get("AWS_SESSION_TOKEN", "")},
    )
    with urllib.request.urlopen(request, timeout=EXTENSION_TIMEOUT_S) as response:  # noqa: S310 (localhost)
        body = json.loads(response.read())
    return json.loads(body["SecretString"])


def _secret_value(secret_arn: str, refresh: bool) -> dict:
    """The secret's JSON: through the Lambda extension when the function has it (no boto3 on the cold
    start), cached SECRET_MAX_AGE_S; through Secrets Manager (Powertools, boto3) without it, when it
    does not answer, and on `refresh`: after a failed login the extension's own cache may still hold the
    rotated-away password, so the fresh value comes from Secrets Manager and replaces the cached one."""
    port = get_settings().secrets_extension_port
    if port and not refresh:
        cached = _extension_secrets.get(secret_arn)
        if cached and time.monotonic() - cached[1] < SECRET_MAX_AGE_S:
            return cached[0]
        try:
            value = _secret_from_extension(secret_arn, port)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no extension answering: Secrets Manager below
        else:
            _extension_secrets[secret_arn] = (value, time.monotonic())
            return value
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_arn, transform="json", max_age=SECRET_MAX_AGE_S, force_fetch=refresh)
    if port:
        _extension_secrets[secret_arn] = (value, time.monotonic())
    return value


def url_from_secret(secret_arn: str, refresh: bool = False) -> str:
    """Build a PostgreSQL URL from an RDS-style Secrets Manager secret (host, port, username, ...)."""
    from psycopg.conninfo import make_conninfo

    value = _secret_value(secret_arn, refresh)
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
    _extension_secrets.clear()
    if get_settings().database_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()


def _connection() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed or _conn.broken:
        url = _resolve_url()
        try:
            _conn = _connect(url)
        except psycopg.Error as exc:
            _conn = None
            # A rotated secret: the cached copy's login fails. Read the secret again and retry once.
            fresh = _resolve_url(refresh=True) if get_settings().database_secret_arn else url
            if fresh == url:
                raise ServiceUnavailable("database unreachable") from exc
            try:
                _conn = _connect(fresh)
            except psycopg.Error as retry_exc:
                raise ServiceUnavailable("database unreachable") from retry_exc
    return _conn


def _connect(url: str) -> psycopg.Connection:
    settings = get_settings()
    left_ms = _time_left(settings.connect_timeout_s * 1000)
    # libpq's connect_timeout is in whole seconds (at least 2): what is left, rounded up.
    connect_s = max(2, math.ceil(left_ms / 1000))

    def connect() -> psycopg.Connection:
        return psycopg.connect(
            url,
            connect_timeout=min(settings.connect_timeout_s, connect_s),
            autocommit=False,
            row_factory=dict_row,
            application_name="telesales-reports-api",
        )

    if remaining_ms() is None or left_ms >= connect_s * 1000:
        return connect()
    return _connect_within(connect, left_ms / 1000)


def _connect_within(connect, seconds: float) -> psycopg.Connection:
    """`connect()` given at most `seconds`: less than libpq's 2 s minimum when the request's deadline is
    nearer (a server that accepts but never answers must not hold the request past it). A connection
    that arrives too late is closed, never used."""
    outcome: dict = {}
    late = threading.Lock()

    def attempt() -> None:
        try:
            conn = connect()
        except Exception as exc:  # the caller re-raises it, in its own thread
            outcome["error"] = exc
            return
        with late:
            if outcome.get("abandoned"):
                conn.close()
            else:
                outcome["conn"] = conn

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(seconds)
    with late:
        if "conn" in outcome:
            return outcome["conn"]
        if "error" in outcome:
            raise outcome["error"]
        outcome["abandoned"] = True
    raise psycopg.OperationalError("connection attempt reached the request's deadline")


def _usable_connection(watched: _Watched) -> psycopg.Connection:
    """The reused connection, checked with a round trip; a stale one (server restarted, proxy idle
    timeout) is replaced once, so the request that finds it broken still succeeds. The check is
    watched like the request's statements: a server that stopped answering must not hold it."""
    conn = watched.conn = _connection()
    try:
        conn.execute("select 1")
        conn.rollback()
    except (psycopg.OperationalError, psycopg.InterfaceError, pg_errors.QueryCanceled):
        _discard(conn)
        conn = watched.conn = _connection()
    return conn


_citus: weakref.WeakKeyDictionary[psycopg.Connection, bool] = weakref.WeakKeyDictionary()


def _on_citus(conn: psycopg.Connection) -> bool:
    """True when the connection's database has the Citus extension (asked once per connection)."""
    if conn not in _citus:
        with conn.cursor(row_factory=tuple_row) as cur:
            _citus[conn] = cur.execute(
                "select exists (select from pg_catalog.pg_extension where extname = 'citus')"
            ).fetchone()[0]
    return _citus[conn]


def set_local(conn: psycopg.Connection, name: str, value: str) -> None:
    """Set `name` for the rest of the transaction, here and, on Citus, on the workers its queries run
    on: SET LOCAL travels there with the transaction (citus.propagate_set_commands); set_config() does
    not, and elsewhere a set_config() keeps the value a bound parameter."""
    if _on_citus(conn):
        conn.execute("set local citus.propagate_set_commands = 'local'")
        conn.execute(sql.SQL("set local {} = {}").format(sql.Identifier(*name.split(".")), sql.Literal(value)))
    else:
        conn.execute("select set_config(%s, %s, true)", (name, value))


# At the deadline the running query is cancelled; a server that does not answer the cancel either (a
# frozen server or host, a network that drops packets: the cancel goes to the same server) has the
# connection cut after CUT_AFTER_S, so the request answers 503 within the response margin instead of
# waiting on a socket for ever. Both steps together stay well inside the handler's 1 s margin.
CANCEL_TIMEOUT_S = 0.3
CUT_AFTER_S = 0.3


class _Watched:
    """The connection a transaction is using (its liveness check's, then its own), for the watchdog."""

    def __init__(self) -> None:
        self.conn: psycopg.Connection | None = None
        self.done = threading.Event()


@contextmanager
def _watchdog() -> Iterator[_Watched]:
    """One timer per transaction, its liveness check included: when the request's deadline passes,
    cancel the watched connection's running query, and cut the connection when the query is still
    running shortly after (the server did not answer)."""
    watched = _Watched()
    left = remaining_ms()
    timer = None
    if left is not None:
        timer = threading.Timer(left / 1000, _cancel_or_cut, args=(watched,))
        timer.daemon = True
        timer.start()
    try:
        yield watched
    finally:
        watched.done.set()
        if timer is not None:
            timer.cancel()


def _cancel_or_cut(watched: _Watched) -> None:
    conn = watched.conn
    if conn is None:
        return
    with contextlib.suppress(Exception):  # a connection closed meanwhile has nothing to cancel
        conn.cancel_safe(timeout=CANCEL_TIMEOUT_S)
    if not watched.done.wait(CUT_AFTER_S):
        _cut(conn)


def _cut(conn: psycopg.Connection) -> None:
    """Shut the connection's socket down under the waiting request: its read returns at once with
    an error (OperationalError, so a 503 and a new connection next time). Only the socket is shut,
    on a duplicate of its descriptor; psycopg still owns and closes the original."""
    with contextlib.suppress(Exception):  # already closed: nothing is waiting on it
        duplicate = socket.socket(fileno=os.dup(conn.pgconn.socket))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


@contextmanager
def _transaction(read_only: bool, timeout_ms: int, tenant_id: int | None) -> Iterator[psycopg.Connection]:
    """A transaction on the reused connection with a statement timeout; every fault becomes
    ServiceUnavailable, and a connection that broke is dropped so the next request reconnects."""
    with _lock, _watchdog() as watched:
        timeout_ms = _time_left(timeout_ms)
        conn = _usable_connection(watched)
        try:
            with conn.transaction():
                if read_only:
                    # One snapshot for every statement of a request (DECISIONLOG 95): a report reads the
                    # rows changed since the build in one statement and answers in the next, so a row
                    # replicated between the two must not be seen by the second only.
                    conn.execute("set transaction isolation level repeatable read, read only")
                # Report queries are short: JIT compilation would only add latency. Every plan is made
                # for the values bound (DECISIONLOG 71): psycopg prepares a statement run five times,
                # and a generic plan chosen while few rows were un-built timed out once thousands
                # were. Index probes are priced for a cached working set (random_page_cost, DECISIONLOG
                # 73), whatever the server's default. The tenant setting binds the API's login to one
                # tenant's rows (row-level security, DECISIONLOG 52).
                conn.execute(
                    "select set_config('statement_timeout', %s, true), set_config('jit', 'off', true),"
                    " set_config('plan_cache_mode', 'force_custom_plan', true),"
                    " set_config('random_page_cost', %s, true),"
                    " set_config('max_parallel_workers_per_gather', %s, true),"
                    " set_config('search_path', %s, true), set_config('telesales.tenant_id', %s, true)",
                    (
                        str(_time_left(timeout_ms)),
                        str(get_settings().random_page_cost),
                        str(get_settings().max_parallel_workers_per_gather),
                        SEARCH_PATH,
                        "" if tenant_id is None else str(tenant_id),
                    ),
                )
                if tenant_id is not None and _on_citus(conn):
                    set_local(conn, "telesales.tenant_id", str(tenant_id))
                yield conn
        except (
            pg_errors.QueryCanceled,
            pg_errors.UndefinedTable,
            pg_errors.UndefinedColumn,
            # a writer endpoint that points at a read-only instance for a moment (a failover): the
            # snapshot job's write fails like any other unavailable database, tenant by tenant
            pg_errors.ReadOnlySqlTransaction,
        ) as exc:
            raise ServiceUnavailable(type(exc).__name__) from exc
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            _discard(conn)
            raise ServiceUnavailable("database connection lost") from exc


def read_only(tenant_id: int | None = None) -> contextlib.AbstractContextManager[psycopg.Connection]:
    """A read-only transaction with the statement timeout (the report API), bound to `tenant_id`."""
    return _transaction(read_only=True, timeout_ms=get_settings().statement_timeout_ms, tenant_id=tenant_id)


def read_write(tenant_id: int | None = None) -> contextlib.AbstractContextManager[psycopg.Connection]:
    """A read-write transaction (the snapshot job), bound to `tenant_id`."""
    return _transaction(read_only=False, timeout_ms=get_settings().statement_timeout_ms, tenant_id=tenant_id)


def _discard(conn: psycopg.Connection) -> None:
    global _conn
    with contextlib.suppress(Exception):  # closing a broken connection must never mask the fault
        conn.close()
    _conn = None
