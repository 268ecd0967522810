"""The reports console in headless Chromium: every panel shows exactly what the JSON API returns.

Each check reads the page the way a user sees it (cell text) and the value the page was given
(`data-value`), and the chart library's own series, and compares them with the API's JSON for the
same filters, fetched over HTTP from the same server.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import requests

from tests.browser.conftest import ConsolePage

BASE_PATH = "/api/telesales/reports"
TABLE_REPORTS = (
    "disposition-breakdown",
    "agent-performance",
    "lead-source-attribution",
    "time-series",
    "caller-id-health",
)
OPTIONAL_TABLE_REPORTS = ("attempts", "carrier-health")
FILTER_SETS = [
    pytest.param("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC", id="week-utc"),
    pytest.param(
        "date_from=2026-05-25&date_to=2026-06-10&timezone=Asia/Ho_Chi_Minh&campaign_id=43&group_by=hour",
        id="campaign-hcm-hour",
    ),
    pytest.param(
        "date_from=2026-06-01&date_to=2026-06-02&timezone=Asia/Kolkata&team_id=7&agent_ids[]=3&agent_ids[]=4&group_by=week",
        id="team-agents-kolkata-week",
    ),
]

# Everything the page shows, read from the DOM: tables (data-key/data-value per cell, and the text),
# KPI cards, the heatmap grid, the abandon-rate figures, and the series of every chart.
READ_PAGE = """() => {
  const panel = (r) => document.getElementById('panel-' + r);
  const tables = {};
  for (const t of document.querySelectorAll('table.data[data-report]')) {
    if (t.dataset.report === 'hour-dow-heatmap') continue;
    tables[t.dataset.report] = [...t.tBodies[0].rows].map((tr) => Object.fromEntries(
      [...tr.cells].map((c) => [c.dataset.key, {value: c.dataset.value, text: c.textContent.trim(),
                                                 bg: c.querySelector('.badge') ? getComputedStyle(c.querySelector('.badge')).backgroundColor : null}])));
  }
  const kpis = Object.fromEntries([...panel('dashboard').querySelectorAll('.kpi')].map((k) => [k.dataset.field, {
    value: k.querySelector('.value').dataset.value, text: k.querySelector('.value').textContent.trim()}]));
  const heat = [...panel('hour-dow-heatmap').querySelectorAll('td[data-day]')].map((c) => ({
    day_of_week: +c.dataset.day, hour: +c.dataset.hour, dials: c.dataset.dials, answered: c.dataset.answered,
    answer_rate_pct: c.dataset.rate, text: c.textContent}));
  const abandon = Object.fromEntries([...panel('abandon-rate').querySelectorAll('.abandon [data-key]')].map((e) => [
    e.dataset.key, {value: e.dataset.value, text: e.textContent.trim()}]));
  const charts = {};
  for (const s of document.querySelectorAll('.panel:not([hidden])')) {
    const node = s.querySelector('.chart');
    const chart = node && echarts.getInstanceByDom(node);
    if (chart) {
      const option = chart.getOption();
      charts[s.dataset.report] = {series: option.series.map((x) => x.data), x: option.xAxis ? option.xAxis[0].data : null,
                                  y: option.yAxis ? option.yAxis[0].data : null};
    }
  }
  return {tables, kpis, heat, abandon, charts};
}"""


def api_json(console: ConsolePage, report: str, query: str, with_compare: bool = False) -> dict:
    """The API's JSON for a console query (the page's own parameters: group_by only for time-series;
    `compare` only `with_compare`, as the panels that show it get it)."""
    pairs = [
        (k, v)
        for k, v in parse_qsl(query)
        if (k != "compare" or with_compare) and (k != "group_by" or report == "time-series")
    ]
    response = requests.get(
        f"{console.live.base}/{report}?{urlencode(pairs)}", headers=console.live.auth(1), timeout=30
    )
    assert response.status_code == 200, (report, response.text)
    return response.json()


def number(text: str) -> float:
    return float(re.sub(r"[,\s%s]|\bs\b", "", text).removesuffix("s"))


def same(cell: dict, expected) -> None:
    """The value the page was given is the API's, and the text on screen is that value."""
    if expected is None:
        assert cell["value"] == "", cell
        return
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        assert cell["value"] == str(expected), (cell, expected)
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", str(expected)):
            assert cell["text"] == str(expected), (cell, expected)
            return
    assert float(cell["value"]) == float(expected), (cell, expected)
    assert number(cell["text"]) == float(expected), (cell, expected)


def hex_to_rgb(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def assert_page_matches_api(console: ConsolePage, query: str) -> dict:
    shown = console.page.evaluate(READ_PAGE)
    visible = set(
        console.page.evaluate("[...document.querySelectorAll('.panel:not([hidden])')].map(s => s.dataset.report)")
    )
    checked = set()

    dashboard = api_json(console, "dashboard", query)["data"]
    assert set(shown["kpis"]) == set(dashboard)
    for field, value in dashboard.items():
        same(shown["kpis"][field], value)
    checked.add("dashboard")

    for report in TABLE_REPORTS + OPTIONAL_TABLE_REPORTS:
        if report not in visible:
            assert report in OPTIONAL_TABLE_REPORTS
            continue
        rows = api_json(console, report, query)["data"]
        table = shown["tables"][report]
        assert len(table) == len(rows), report
        for dom_row, api_row in zip(table, rows, strict=True):
            for key, value in api_row.items():
                if key == "color":  # the disposition's badge is painted in the tenant's own colour
                    assert dom_row["label"]["bg"] == hex_to_rgb(value), (dom_row, value)
                    continue
                if key == "health_status":
                    assert dom_row[key]["value"] == value and dom_row[key]["text"] == value.replace("_", " ")
                    continue
                same(dom_row[key], value)
        checked.add(report)

    funnel = api_json(console, "funnel", query)["data"]
    assert [(r["stage"]["value"], r["count"]["value"]) for r in shown["tables"]["funnel"]] == [
        (i["stage"], str(i["count"])) for i in funnel
    ]
    assert shown["charts"]["funnel"]["series"][0] == [{"name": i["stage"], "value": i["count"]} for i in funnel]
    checked.add("funnel")

    heatmap = api_json(console, "hour-dow-heatmap", query)["data"]
    assert len(shown["heat"]) == 168
    for cell, item in zip(shown["heat"], heatmap, strict=True):
        assert (cell["day_of_week"], cell["hour"]) == (item["day_of_week"], item["hour"])
        assert (int(cell["dials"]), int(cell["answered"])) == (item["dials"], item["answered"])
        assert float(cell["answer_rate_pct"]) == item["answer_rate_pct"]
        assert number(cell["text"]) == item["dials"]
    assert [p[:5] for p in shown["charts"]["hour-dow-heatmap"]["series"][0]] == [
        [i["hour"], i["day_of_week"], i["dials"], i["answered"], i["answer_rate_pct"]] for i in heatmap
    ]
    checked.add("hour-dow-heatmap")

    series = api_json(console, "time-series", query)["data"]
    chart = shown["charts"]["time-series"]
    assert chart["x"] == [i["bucket"] for i in series]
    assert chart["series"] == [[i[k] for i in series] for k in ("dials", "answers", "conversions")]
    dispositions = api_json(console, "disposition-breakdown", query)["data"]
    assert shown["charts"]["disposition-breakdown"]["series"][0] == [
        {"name": i["label"], "value": i["count"], "itemStyle": {"color": i["color"]}} for i in dispositions
    ]
    sources = api_json(console, "lead-source-attribution", query)["data"]
    assert shown["charts"]["lead-source-attribution"]["y"] == [i["source"] for i in sources]

    campaign = dict(parse_qsl(query)).get("campaign_id") or console.page.eval_on_selector(
        "#abandon-campaign", "s => s.value"
    )
    abandon = requests.get(
        f"{console.live.base}/abandon-rate?campaign_id={campaign}", headers=console.live.auth(1), timeout=30
    ).json()["data"]
    for key in ("abandon_rate_pct", "limit_pct", "attempts_abandoned", "attempts_total"):
        same(shown["abandon"][key], abandon["current"][key])
    breaches = shown["tables"]["abandon-rate"]
    assert len(breaches) == len(abandon["breaches"])
    for dom_row, api_row in zip(breaches, abandon["breaches"], strict=True):
        for key, value in api_row.items():
            same(dom_row[key], value)
    checked.add("abandon-rate")
    assert checked == visible
    # the optional panels are shown exactly when the API documents their reports
    paths = requests.get(f"{console.live.base}/openapi.json", timeout=30).json()["paths"]
    assert {r for r in OPTIONAL_TABLE_REPORTS if f"{BASE_PATH}/{r}" in paths} == visible & set(OPTIONAL_TABLE_REPORTS)
    return shown


@pytest.mark.parametrize("query", FILTER_SETS)
def test_every_panel_shows_the_apis_numbers(console, breach_history, query):
    console.open(query)
    assert console.problems() == []
    assert_page_matches_api(console, query)
    # the link reproduces the view: the page's URL holds exactly the API's parameters
    assert sorted(parse_qsl(urlsplit(console.page.url).query)) == sorted(parse_qsl(query))


def test_full_page_screenshot_and_vietnamese_names(console, breach_history):
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=Asia/Ho_Chi_Minh")
    page = console.page
    names = page.eval_on_selector_all("#panel-agent-performance tbody th", "cells => cells.map(c => c.textContent)")
    assert {"Nguyễn Văn A", "Trần Thị B"} <= set(names)
    assert "Team Hà Nội" in page.inner_text("#team_id")
    assert page.inner_text("#who") == "Tenant 1"
    assert page.eval_on_selector("#panel-abandon-rate", "s => s.querySelectorAll('tbody tr').length") >= 1
    path = console.screenshot("console.png")
    assert path.stat().st_size > 50_000
    assert console.problems() == []


def test_changing_filters_updates_the_url_and_the_panels(console):
    page = console.page
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    before = page.eval_on_selector("#panel-dashboard .kpi[data-field=total_dials] .value", "e => e.dataset.value")

    page.select_option("#campaign_id", "43")
    console.wait_until_ready()
    assert ("campaign_id", "43") in parse_qsl(urlsplit(page.url).query)
    query = urlsplit(page.url).query
    assert_page_matches_api(console, query)
    after = page.eval_on_selector("#panel-dashboard .kpi[data-field=total_dials] .value", "e => e.dataset.value")
    assert after != before  # the contract data has dials in other campaigns that week

    page.select_option("#agent_ids", ["3", "4"])
    page.select_option("#timezone", "Asia/Kolkata")
    page.select_option("#group_by", "hour")
    console.wait_until_ready()
    pairs = parse_qsl(urlsplit(page.url).query)
    assert [v for k, v in pairs if k == "agent_ids[]"] == ["3", "4"]
    assert ("timezone", "Asia/Kolkata") in pairs and ("group_by", "hour") in pairs
    buckets = page.eval_on_selector_all("#panel-time-series tbody th", "cells => cells.map(c => c.textContent)")
    assert buckets and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:00:00", b) for b in buckets)
    assert_page_matches_api(console, urlsplit(page.url).query)

    page.click("button[data-pick='7']")  # "today" is the selected timezone's
    console.wait_until_ready()
    pairs = dict(parse_qsl(urlsplit(page.url).query))
    local_today = _today_in("Asia/Kolkata")
    assert (pairs["date_to"], pairs["date_from"]) == (local_today.isoformat(), _days_before(local_today, 6))
    assert page.get_attribute("button[data-pick='7']", "aria-pressed") == "true"

    page.go_back()  # history: the previous view comes back with its panels
    console.wait_until_ready()
    assert dict(parse_qsl(urlsplit(page.url).query))["date_from"] == "2026-06-01"
    assert page.input_value("#date_from") == "2026-06-01"
    assert console.problems() == []


def _today_in(zone: str) -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo(zone)).date()


def _days_before(day: date, n: int) -> str:
    from datetime import timedelta

    return (day - timedelta(days=n)).isoformat()


AGENT_GROUPS = """() => [...document.querySelectorAll('#agent_ids optgroup')].map((g) => [g.label,
  [...g.querySelectorAll('option')].map((o) => [o.value, o.selected])])"""


def test_the_agent_list_follows_the_team(console):
    """Agents are grouped by their current team (/filters), "No team" last; a chosen team narrows the list
    to its agents, and agents already picked stay listed and picked, so no filter disappears unseen."""
    page = console.page
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    assert page.evaluate(AGENT_GROUPS) == [
        ["Team Hà Nội", [["3", False]]],
        ["Team Sài Gòn", [["4", False]]],
        ["No team", [["5", False]]],
    ]

    page.select_option("#team_id", "7")
    console.wait_until_ready()
    assert page.evaluate(AGENT_GROUPS) == [["Team Hà Nội", [["3", False]]]]
    page.select_option("#agent_ids", ["3"])
    console.wait_until_ready()

    page.select_option("#team_id", "8")  # agent 3 is in team 7: still listed, still picked, still filtering
    console.wait_until_ready()
    assert page.evaluate(AGENT_GROUPS) == [["Team Sài Gòn", [["4", False]]], ["Picked, in other teams", [["3", True]]]]
    pairs = parse_qsl(urlsplit(page.url).query)
    assert ("team_id", "8") in pairs and [v for k, v in pairs if k == "agent_ids[]"] == ["3"]
    assert_page_matches_api(console, urlsplit(page.url).query)

    page.select_option("#team_id", "")
    console.wait_until_ready()
    assert page.evaluate(AGENT_GROUPS) == [
        ["Team Hà Nội", [["3", True]]],
        ["Team Sài Gòn", [["4", False]]],
        ["No team", [["5", False]]],
    ]

    # a link narrows the same way; an unknown team narrows nothing (the API answers 422 on team_id)
    console.open("date_from=2026-06-01&date_to=2026-06-07&team_id=8&agent_ids[]=5")
    assert page.evaluate(AGENT_GROUPS) == [["Team Sài Gòn", [["4", False]]], ["Picked, in other teams", [["5", True]]]]
    assert console.problems() == []
    console.open("date_from=2026-06-01&date_to=2026-06-07&team_id=999")
    assert [g[0] for g in page.evaluate(AGENT_GROUPS)] == ["Team Hà Nội", "Team Sài Gòn", "No team"]
    assert page.inner_text("#error-team_id") != ""


def test_export_buttons_download_files_that_open(console, tmp_path):
    query = "date_from=2026-06-01&date_to=2026-06-07&timezone=Asia/Ho_Chi_Minh&team_id=7"
    console.open(query)
    page = console.page
    api = f"{console.live.base}/agent-performance/export?{query}"

    with page.expect_download() as download_info:
        page.click("#panel-agent-performance button.export[data-format=csv]")
    download = download_info.value
    assert download.suggested_filename == "telesales-agent-performance-20260601-20260607.csv"
    body = download.path().read_bytes()
    assert body == requests.get(f"{api}&format=csv", headers=console.live.auth(1), timeout=30).content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    expected = api_json(console, "agent-performance", query)["data"]
    assert [r["name"] for r in rows] == [i["name"] for i in expected] and rows
    assert [int(r["dials"]) for r in rows] == [i["dials"] for i in expected]

    with page.expect_download() as download_info:
        page.click("#panel-hour-dow-heatmap button.export[data-format=xlsx]")
    download = download_info.value
    assert download.suggested_filename == "telesales-hour-dow-heatmap-20260601-20260607.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved)
    sheet = book["hour-dow-heatmap"]
    values = list(sheet.iter_rows(values_only=True))
    heatmap = api_json(console, "hour-dow-heatmap", query)["data"]
    assert list(values[0]) == list(heatmap[0])
    assert [row[2] for row in values[1:]] == [i["dials"] for i in heatmap]
    assert console.problems() == []


def test_validation_errors_appear_next_to_the_field(console):
    page = console.page
    page.goto(f"{console.root}/?date_from=2026-01-01&date_to=2026-06-30&timezone=UTC#token={console.live.token1}")
    console.wait_until_ready()
    assert page.inner_text("#error-date_to") == "The date_from..date_to range may not exceed 90 days."
    assert page.get_attribute("#date_to", "aria-invalid") == "true"
    assert page.eval_on_selector("#panel-dashboard", "s => s.dataset.state") == "error"
    # the abandon-rate panel is not dated: it still shows its figures
    assert page.eval_on_selector("#panel-abandon-rate", "s => s.dataset.state") == "ready"
    page.fill("#date_from", "2026-06-01")  # fixing the field clears the message and loads the panels
    page.dispatch_event("#date_from", "change")
    console.wait_until_ready()
    assert page.inner_text("#error-date_to") == ""
    assert page.get_attribute("#date_to", "aria-invalid") is None
    assert page.eval_on_selector("#panel-dashboard", "s => s.dataset.state") == "ready"


def test_unavailable_gives_retry_and_unauthenticated_asks_to_sign_in_again(console):
    page = console.page
    unavailable = json.dumps({"message": "Service Unavailable."})
    page.route(
        re.compile(r".*/api/telesales/reports/funnel\?.*"),
        lambda route: route.fulfill(status=503, content_type="application/json", body=unavailable),
    )
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    assert page.eval_on_selector("#panel-funnel", "s => s.dataset.state") == "error"
    assert "unavailable" in page.inner_text("#panel-funnel .state")
    page.unroute(re.compile(r".*/api/telesales/reports/funnel\?.*"))
    page.click("#panel-funnel button.retry")
    page.wait_for_function("() => document.getElementById('panel-funnel').dataset.state === 'ready'")
    assert page.eval_on_selector_all("#panel-funnel tbody tr", "r => r.length") == 6

    page.route(
        re.compile(r".*/api/telesales/reports/dashboard\?.*"),
        lambda route: route.fulfill(
            status=401, content_type="application/json", body='{"message": "Unauthenticated."}'
        ),
    )
    page.select_option("#campaign_id", "44")
    page.wait_for_selector("#signin:not([hidden])")
    assert "Sign in again" in page.inner_text("#signin-message")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.is_hidden("#panels")


def test_a_panel_in_error_hides_the_figures_of_the_filters_before(console):
    """After a failed request the panel's last figures belong to other filters: they are not left on view."""
    page = console.page
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    body_visibility = "s => getComputedStyle(s.querySelector('.body')).visibility"
    assert page.eval_on_selector("#panel-dashboard", body_visibility) == "visible"
    unavailable = json.dumps({"message": "Service Unavailable."})
    pattern = re.compile(r".*/api/telesales/reports/dashboard\?.*")
    page.route(pattern, lambda route: route.fulfill(status=503, content_type="application/json", body=unavailable))
    page.select_option("#timezone", "Asia/Kathmandu")
    page.wait_for_function("() => document.getElementById('panel-dashboard').dataset.state === 'error'")
    assert page.eval_on_selector("#panel-dashboard", body_visibility) == "hidden"
    page.unroute(pattern)
    page.click("#panel-dashboard button.retry")
    page.wait_for_function("() => document.getElementById('panel-dashboard').dataset.state === 'ready'")
    assert page.eval_on_selector("#panel-dashboard", body_visibility) == "visible"

    # a 422 likewise: the window shown is not the one the figures were for
    page.fill("#date_from", "2026-06-10")
    page.dispatch_event("#date_from", "change")
    page.wait_for_function("() => document.getElementById('panel-dashboard').dataset.state === 'error'")
    assert page.eval_on_selector("#panel-dashboard", body_visibility) == "hidden"


def test_a_failed_export_is_reported_beside_its_buttons_and_cleared_by_the_next_one(console):
    """An export's failure leaves the panel's figures (still those of the filters shown) and its state
    alone; its Retry downloads the file and the message goes."""
    page = console.page
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    unavailable = json.dumps({"message": "Service Unavailable."})
    pattern = re.compile(r".*/api/telesales/reports/funnel/export\?.*")
    page.route(pattern, lambda route: route.fulfill(status=503, content_type="application/json", body=unavailable))
    page.click("#panel-funnel button.export[data-format=csv]")
    page.wait_for_selector("#panel-funnel .export-status button.retry-export")
    assert "CSV file could not be made" in page.inner_text("#panel-funnel .export-status")
    assert page.eval_on_selector("#panel-funnel", "s => s.dataset.state") == "ready"
    assert page.eval_on_selector_all("#panel-funnel tbody tr", "r => r.length") == 6
    page.unroute(pattern)
    with page.expect_download() as download_info:
        page.click("#panel-funnel .export-status button.retry-export")
    assert download_info.value.suggested_filename == "telesales-funnel-20260601-20260607.csv"
    page.wait_for_function("() => document.querySelector('#panel-funnel .export-status').textContent === ''")
    assert page.eval_on_selector("#panel-funnel", "s => s.dataset.state") == "ready"
    # the browser's own line about the 503 it was given, and nothing else
    assert [p for p in console.problems() if "status of 503" not in str(p)] == []


def test_the_token_stays_in_the_fragment_and_only_reaches_the_api_as_a_header(console):
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    token = console.live.token1
    assert "#" not in console.page.url and token not in console.page.url
    assert console.requests
    for url, headers in console.requests:
        assert token not in url
        assert "referer" not in headers or token not in headers["referer"]
        if urlsplit(url).path.startswith(BASE_PATH):
            assert headers.get("authorization") == f"Bearer {token}", url
        else:  # the page's own files are public and get no token
            assert "authorization" not in headers, url


def test_keyboard_sorting_and_quick_picks(console):
    page = console.page
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    sort = "#panel-agent-performance button.sort[data-sort-key=dials]"
    page.focus(sort)
    page.keyboard.press("Enter")
    header = page.locator("#panel-agent-performance th", has=page.locator("button[data-sort-key=dials]"))
    assert header.get_attribute("aria-sort") == "descending"
    dials = page.eval_on_selector_all(
        "#panel-agent-performance td[data-key=dials]", "c => c.map(x => +x.dataset.value)"
    )
    assert dials == sorted(dials, reverse=True)
    assert page.evaluate("document.activeElement.dataset.sortKey") == "dials"  # focus stays on the control
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    dials = page.eval_on_selector_all(
        "#panel-agent-performance td[data-key=dials]", "c => c.map(x => +x.dataset.value)"
    )
    assert dials == sorted(dials)

    page.focus("button[data-pick=yesterday]")
    page.keyboard.press("Space")
    console.wait_until_ready()
    assert dict(parse_qsl(urlsplit(page.url).query))["date_to"] == _days_before(_today_in("UTC"), 1)
    # every control of the filter bar and every export button is reachable with Tab
    reachable = set()
    page.focus("#date_from")
    for _ in range(60):
        reachable.add(page.evaluate("document.activeElement.id || document.activeElement.dataset.pick || ''"))
        page.keyboard.press("Tab")
    assert {"date_from", "date_to", "today", "90", "timezone", "campaign_id", "team_id", "agent_ids"} <= reachable


def test_readable_on_a_tablet(console):
    console.page.set_viewport_size({"width": 820, "height": 1180})
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=Asia/Ho_Chi_Minh")
    assert console.page.evaluate("document.documentElement.scrollWidth") <= 820
    console.screenshot("console-tablet.png")


def test_comparison_when_the_api_offers_it(console):
    console.open("date_from=2026-06-01&date_to=2026-06-07&timezone=UTC")
    page = console.page
    doc = requests.get(f"{console.live.base}/openapi.json", timeout=30).json()
    params = {p["name"] for p in doc["paths"][f"{BASE_PATH}/dashboard"]["get"].get("parameters", [])}
    if "compare" not in params:
        assert page.is_disabled("#compare") and page.is_visible("#compare-note")
        return
    page.select_option("#compare", "previous_period")
    console.wait_until_ready()
    query = urlsplit(page.url).query
    assert ("compare", "previous_period") in parse_qsl(query)
    response = requests.get(f"{console.live.base}/dashboard?{query}", headers=console.live.auth(1), timeout=30).json()
    previous = page.eval_on_selector_all(
        "#panel-dashboard .kpi",
        "ks => Object.fromEntries(ks.map(k => [k.dataset.field, k.querySelector('.change').dataset.previous]))",
    )
    assert previous == {k: str(v) for k, v in response["previous"].items()}

    # every panel with a headline count per row: its "vs previous" column against the previous window's
    # row of the same key, "new" where that window has none; the note names the window
    shown = {
        "disposition-breakdown": ("code", "count"),
        "agent-performance": ("agent_id", "conversions"),
        "funnel": ("stage", "count"),
        "lead-source-attribution": ("source", "conv_count"),
        "attempts": ("attempt", "conversions"),
    }
    for report, (key, measure) in shown.items():
        if page.is_hidden(f"#panel-{report}"):
            continue
        body = api_json(console, report, query, with_compare=True)
        before = {str(r[key]): str(r[measure]) for r in body["previous"]}
        rows = page.eval_on_selector_all(
            f"#panel-{report} tbody tr",
            "(rs, [k, m]) => rs.map(r => { const c = r.querySelector(`[data-key=previous_${m}] .change`);"
            " return [r.querySelector(`[data-key=${k}]`).dataset.value,"
            " c.classList.contains('new') ? 'new' : c.dataset.previous, r.querySelector(`[data-key=${m}]`).dataset.value]; })",
            [key, measure],
        )
        assert rows, report
        current = {str(r[key]): str(r[measure]) for r in body["data"]}
        assert [identity for identity, _, _ in rows] == [str(r[key]) for r in body["data"]], report
        for identity, shown_before, now in rows:
            assert now == current[identity], (report, identity)
            assert shown_before == before.get(identity, "new"), (report, identity)
        window = body["previous_window"]
        assert page.inner_text(f"#panel-{report} .previous-window") == (
            f"Compared with {window['date_from']} – {window['date_to']} (exclusive end, UTC)."
        )
    # the panels that would not show the comparison are not sent it
    sent = [url for url, _ in console.requests if "compare=" in url]
    assert sent and not [url for url in sent if re.search(r"/(time-series|hour-dow-heatmap|caller-id-health)\?", url)]


def test_datetimes_in_the_link_are_kept_when_other_filters_change(console):
    """A link may carry the API's datetime forms; the page passes them through unchanged."""
    query = "date_from=2026-06-01T07:00:00%2B07:00&date_to=2026-06-01T12:00:00Z&timezone=Asia/Ho_Chi_Minh"
    console.open(query)
    page = console.page
    assert page.input_value("#date_from") == "2026-06-01"
    page.select_option("#team_id", "7")
    console.wait_until_ready()
    pairs = dict(parse_qsl(urlsplit(page.url).query))
    assert (pairs["date_from"], pairs["date_to"], pairs["team_id"]) == (
        "2026-06-01T07:00:00+07:00",
        "2026-06-01T12:00:00Z",
        "7",
    )
    assert_page_matches_api(console, urlsplit(page.url).query)
    assert console.problems() == []
