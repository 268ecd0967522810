"""The reports console's static files (console/), as the local server answers them at `/`.

In AWS the same files are served from S3 behind CloudFront (infra/console.yaml), with the same
Content-Security-Policy. Only files of the site are answered: never node_modules, package files or
anything outside console/ (paths are resolved and checked).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from telesales_build.paths import project_root
from telesales_reports.settings import get_settings

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# Scripts, styles and data from the page's own origin only: no inline script or style, no CDN. The
# one other source is where a large export's presigned URL points: `fetch` follows the API's 302
# there, and connect-src governs the redirect too (infra/console.yaml adds the same sources).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'{connect}; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def export_origins() -> list[str]:
    """The origins of the export bucket's presigned URLs (none without TELESALES_EXPORT_BUCKET)."""
    bucket = get_settings().export_bucket
    if not bucket:
        return []
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    regional = [f"https://{bucket}.s3.{region}.amazonaws.com"] if region else []
    return [*regional, f"https://{bucket}.s3.amazonaws.com"]


def content_security_policy() -> str:
    return CONTENT_SECURITY_POLICY.format(connect="".join(f" {origin}" for origin in export_origins()))


HIDDEN_PARTS = {"node_modules"}


def console_dir() -> Path:
    return project_root() / "console"


def console_file(path: str) -> tuple[bytes, dict[str, str]] | None:
    """(body, headers) of a console file for a URL path, or None when the path is not one of them."""
    if path.startswith("/api/"):
        return None
    relative = "index.html" if path in ("", "/") else path.lstrip("/")
    root = console_dir().resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    parts = target.relative_to(root).parts
    if HIDDEN_PARTS & set(parts) or target.name.startswith(("package", ".")) or target.suffix not in CONTENT_TYPES:
        return None
    headers = {
        "Content-Type": CONTENT_TYPES[target.suffix],
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    return target.read_bytes(), headers
