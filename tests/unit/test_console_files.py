"""The local server answers the console's own files and nothing else outside /api/ (console_files.py)."""

from __future__ import annotations

import pytest

from telesales_dev.console_files import console_dir, console_file
from telesales_reports.settings import get_settings

STRICT = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture(autouse=True)
def _settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_root_is_the_page_with_a_strict_policy(monkeypatch):
    monkeypatch.delenv("TELESALES_EXPORT_BUCKET", raising=False)
    body, headers = console_file("/")
    assert body == (console_dir() / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == STRICT
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("env", "sources"),
    [
        ({"AWS_REGION": "ap-southeast-1"}, "https://exp.s3.ap-southeast-1.amazonaws.com https://exp.s3.amazonaws.com"),
        ({"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/"}, "http://127.0.0.1:9000"),
    ],
)
def test_connect_src_allows_the_export_buckets_presigned_urls(monkeypatch, env, sources):
    """fetch follows a large export's 302 to S3, and connect-src governs that redirect."""
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TELESALES_EXPORT_BUCKET", "exp")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _, headers = console_file("/")
    assert headers["Content-Security-Policy"] == STRICT.replace("connect-src 'self'", f"connect-src 'self' {sources}")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "text/css; charset=utf-8"),
        ("/config.json", "application/json"),
    ],
)
def test_the_pages_files(path, content_type):
    body, headers = console_file(path)
    assert body and headers["Content-Type"] == content_type


@pytest.mark.parametrize(
    "path",
    [
        "/api/telesales/reports/dashboard",
        "/api/../index.html",
        "/../pyproject.toml",
        "/vendor/../../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/package.json",
        "/package-lock.json",
        "/node_modules/echarts/package.json",
        "/node_modules/echarts/dist/echarts.min.js",
        "/vendor",
        "/nope.js",
        "/favicon.ico",
    ],
)
def test_nothing_else(path):
    assert console_file(path) is None


def test_the_page_loads_only_its_own_scripts():
    page = (console_dir() / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "style=" not in page and "http" not in page.replace("http-equiv", "")
    assert '<script src="vendor/echarts.min.js" defer></script>' in page
