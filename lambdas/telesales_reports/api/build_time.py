"""`X-Warehouse-Built-At` on every data response: when the marts were last rebuilt successfully.

The time is the `finished_at` of the newest successful full build in ops.build_runs (written by the
build, telesales_build/build_runs.py), as RFC 3339 UTC. It is read at most once a minute per Lambda
instance (a build runs every 15 minutes), and left out when no build was recorded or the read fails:
the header never turns an answer into an error (DECISIONLOG, Operations).
"""

from __future__ import annotations

import re
import time

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from ..db import connection
from ..timestamps import iso_utc
from .observability import logger

HEADER = "X-Warehouse-Built-At"
CACHE_SECONDS = 60.0
LAST_BUILD_SQL = """
select max(finished_at) as built_at
from ops.build_runs
where outcome = 'success' and selection is null
"""

_cache: dict[str, tuple[float, str | None]] = {}


def last_build_time() -> str | None:
    """The cached build time (None: never built, or the database could not tell)."""
    cached = _cache.get("built_at")
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        with connection.read_only() as conn:
            built_at = conn.execute(LAST_BUILD_SQL).fetchone()["built_at"]
    except connection.ServiceUnavailable as exc:
        logger.warning("warehouse build time unavailable", extra={"reason": str(exc)})
        return None
    value = iso_utc(built_at) if built_at else None
    _cache["built_at"] = (time.monotonic(), value)
    return value


def forget() -> None:
    """Drop the cached time (tests, and after a build in the same process)."""
    _cache.clear()


DOCUMENT_PATHS = re.compile(r"/(openapi\.json|docs(/[^/]*)?)$")


def add_build_time(app, next_middleware: NextMiddleware) -> Response:
    """App middleware: the header on every successful data answer (200, or 302 to a file); the API's
    own documents (openapi.json, the reference page) hold no warehouse data and never touch the database."""
    response = next_middleware(app)
    if response.status_code in (200, 302) and not DOCUMENT_PATHS.search(app.current_event.path):
        built_at = last_build_time()
        if built_at:
            response.headers[HEADER] = built_at
    return response
