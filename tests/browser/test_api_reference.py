"""The interactive API reference (Swagger UI at /api/telesales/reports/docs) in a real browser, offline:
every request the page makes goes to the local API itself (anything else is refused, as on a machine
without internet), and it renders every operation of the OpenAPI document, with no script error or
Content-Security-Policy violation."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from playwright.sync_api import Browser

from tests.browser.conftest import WATCH_PAGE
from tests.reliability.conftest import LiveApi, live_api  # noqa: F401 - the shared live server fixture


def test_the_reference_renders_every_operation_with_no_request_leaving_the_api(
    browser: Browser,
    live_api: LiveApi,  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_PAGE)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Anything not served by the local API fails at once, as it would on a machine without internet.
    page.route(
        lambda url: urlsplit(url).netloc != f"{live_api.host}:{live_api.port}",
        lambda route: route.abort("internetdisconnected"),
    )
    try:
        page.goto(f"{live_api.root}/api/telesales/reports/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        spec = json.loads(page.evaluate("() => JSON.stringify(window.ui.specSelectors.specJson().toJS())"))
        operation_ids = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
        shown = set(
            page.eval_on_selector_all(
                ".opblock .opblock-summary-operation-id", "els => els.map(e => e.textContent.trim())"
            )
        )
        assert operation_ids and operation_ids <= shown
        assert not errors and not page.evaluate("window.__problems")
        foreign = [url for url in requests if urlsplit(url).netloc != f"{live_api.host}:{live_api.port}"]
        assert not foreign, foreign
    finally:
        context.close()
