"""The local server answers the console's own files and nothing else outside /api/ (console_files.py)."""

from __future__ import annotations

import pytest

from telesales_dev.console_files import CONTENT_SECURITY_POLICY, console_dir, console_file


def test_root_is_the_page_with_a_strict_policy():
    body, headers = console_file("/")
    assert body == (console_dir() / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


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
