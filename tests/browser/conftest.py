"""The reports console in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright.

`bash run test` installs Chromium when it is missing; these tests never skip. The page is served by
the real local server (`live_api`, over the contract database), exactly as `telesales-reports serve`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from telesales_build.paths import project_root
from telesales_reports.db import connection as db
from telesales_reports.jobs.abandon_snapshot import take_snapshot
from tests.reliability.conftest import LiveApi, live_api  # noqa: F401 - the shared live server fixture

CHROMIUM = os.environ.get("TELESALES_CHROMIUM", "/usr/bin/chromium")
# As root in a container, without the sandbox; no background traffic (the machine's network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = project_root() / "bench-results"

# Collected in the page from the first script on: CSP violations and uncaught errors.
WATCH_PAGE = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => window.__problems.push(
    `CSP ${e.violatedDirective} ${e.blockedURI}`));
window.addEventListener('error', (e) => window.__problems.push(`error ${e.message}`));
"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), "Chromium is missing: bash run test installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class ConsolePage:
    """One browser tab on the console, with everything it logged and requested."""

    def __init__(self, page: Page, live: LiveApi) -> None:
        self.page = page
        self.live = live
        self.messages: list[tuple[str, str]] = []
        self.requests: list[tuple[str, dict]] = []
        page.on("console", lambda m: self.messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.messages.append(("pageerror", str(e))))
        page.on("request", lambda r: self.requests.append((r.url, r.headers)))

    @property
    def root(self) -> str:
        return f"http://{self.live.host}:{self.live.port}"

    def open(self, query: str, tenant_id: int = 1) -> None:
        self.page.goto(f"{self.root}/?{query}#token={self.live.token(tenant_id)}")
        self.wait_until_ready()

    def wait_until_ready(self) -> None:
        self.page.wait_for_function(
            "() => { const p = [...document.querySelectorAll('.panel:not([hidden])')];"
            " return p.length >= 9 && p.every(s => s.dataset.state === 'ready' || s.dataset.state === 'error'); }",
            timeout=30_000,
        )

    def problems(self) -> list:
        errors = [m for m in self.messages if m[0] in ("error", "pageerror")]
        return errors + self.page.evaluate("window.__problems")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def console(browser: Browser, live_api: LiveApi) -> Iterator[ConsolePage]:  # noqa: F811
    db.reset(live_api.database_url)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="en-US")
    context.add_init_script(WATCH_PAGE)
    page = context.new_page()
    yield ConsolePage(page, live_api)
    context.close()


@pytest.fixture(scope="module")
def breach_history(live_api: LiveApi):  # noqa: F811
    """An abandon-rate snapshot recorded by the scheduled job's own code, so the panel has a history.

    Removed after the module, so the other suites see the contract database as they expect.
    """
    db.reset(live_api.database_url)
    written = take_snapshot()
    yield written
    with psycopg.connect(live_api.database_url, autocommit=True) as conn:
        conn.execute("delete from ops.abandon_rate_snapshots where snapshot_at = %s", (written["snapshot_at"],))
