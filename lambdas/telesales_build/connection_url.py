"""The build's database URL: `DATABASE_URL`, or the TELESALES_DB_* parts the ECS task receives, split
into the separate settings dbt's profile needs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse


@dataclass(frozen=True)
class ConnectionParams:
    """The pieces of a PostgreSQL URL that dbt's profile needs as separate settings."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    sslmode: str = "prefer"  # libpq's default; a URL's ?sslmode= is kept (dbt's profile reads it)


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


def configured_url() -> str | None:
    """`DATABASE_URL` when set, else the TELESALES_DB_* parts (exported as DATABASE_URL); else None."""
    url = os.environ.get("DATABASE_URL") or url_from_parts_env()
    if url:
        os.environ["DATABASE_URL"] = url
    return url


def require_url() -> str:
    """The configured URL; a clear error when there is none (the developer tools pass the embedded one)."""
    url = configured_url()
    if not url:
        raise RuntimeError("no database: set DATABASE_URL or TELESALES_DB_HOST/_PORT/_USER/_PASSWORD/_NAME")
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
            sslmode=str(parts.get("sslmode", "prefer")),
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
        sslmode=query.get("sslmode", ["prefer"])[0],
    )
