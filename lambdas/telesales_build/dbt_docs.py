"""The dbt docs site of the warehouse: `telesales-reports docs` generates it and serves it on loopback.

`dbt docs generate` writes target/index.html, manifest.json and catalog.json (column types read from
the database, so the marts must be built). The site is those three files: the server serves nothing
else from target/ (no compiled SQL, no logs).
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .dbt_runner import run_dbt, target_path

SITE_FILES = ("index.html", "manifest.json", "catalog.json")


def generate(url: str) -> Path:
    """Run `dbt docs generate`; return the folder holding the site."""
    run_dbt(["docs", "generate"], url=url)
    target = target_path()
    missing = [name for name in SITE_FILES if not (target / name).is_file()]
    if missing:
        raise RuntimeError(f"dbt docs generate wrote no {', '.join(missing)} in {target}")
    return target


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site's three files; anything else is a 404."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet
        pass

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        name = "index.html" if path in ("", "/") else path.lstrip("/")
        if name not in SITE_FILES:
            self.send_error(404)
            return None
        self.path = "/" + name
        return super().send_head()


def serve(site: Path, host: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), functools.partial(SiteHandler, directory=str(site)))
    server.daemon_threads = True
    return server
