"""docs/api-reference.md §6.2 on the calendar's awkward places, against the reference implementation:
previous_year across a leap day, ISO week 53 with group_by=week, and comparison windows that start
before the first call (and before the data's first day) in several timezones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telesales_build.bootstrap import ensure_schema
from telesales_reports.db import connection as db
from tests.integration.reference import Reference, comparison_window, load
from tests.support import Raw, build_db, call

CALLS = [
    # around the leap day 2028-02-29 and the same weekdays a year later
    "2028-02-27 23:30", "2028-02-28 12:00", "2028-02-29 00:10", "2028-02-29 12:00", "2028-03-01 12:00",
    "2028-03-05 23:59", "2029-02-26 08:00", "2029-02-28 12:00", "2029-03-01 12:00", "2029-03-04 20:00",
    # ISO week 53 of 2026 (Mon 2026-12-28 .. Sun 2027-01-03) and the weeks around it, a year apart
    "2026-12-27 22:00", "2026-12-28 01:00", "2027-01-01 10:00", "2027-01-03 23:30", "2027-01-04 00:30",
    "2027-01-10 12:00", "2027-12-27 09:00", "2028-01-02 23:00", "2028-01-03 00:30", "2028-01-09 12:00",
]  # fmt: skip
RESULTS = ["connected", "no_answer", "abandoned", "connected", "rejected"]


@pytest.fixture(scope="module")
def calendar_db(fresh_database):
    url = fresh_database("calendar")
    ensure_schema(url)
    rows = Raw()
    rows.tenant(1)
    rows.campaign(1, 1, "Calendar")
    rows.disposition(1, "sale", "Sale", "contact", "#10B981", conv=True)
    rows.caller_id(1, "0900000001")
    created = ["2026-12-27 21:00", "2027-12-26 10:00", "2028-02-27 08:00", "2026-12-20 09:00"]
    for i, when in enumerate(created):
        rows.lead(1, 1, when, ["web", "facebook"][i % 2], id=100 + i)
    for i, started in enumerate(CALLS):
        lead = 100 + i % 4
        result = RESULTS[i % len(RESULTS)]
        rows.call(
            1, 1, started, result, id=i + 1, lead_id=lead, caller_id="0900000001",
            talk_sec=40 if result == "connected" else 0, disposition_code="sale" if i % 3 == 0 else None,
        )  # fmt: skip
    rows.load(url)
    build_db(url)
    db.reset(url)
    return Reference(load(url), 1)


def answer(report: str, params: list[tuple[str, str]]) -> dict:
    status, body = call(report, params)
    assert status == 200, body
    return body


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Ho_Chi_Minh", "America/New_York"])
def test_previous_year_across_the_leap_day(calendar_db, timezone):
    ref = calendar_db
    params = {"date_from": "2029-02-26", "date_to": "2029-03-04", "timezone": timezone}
    body = answer("time-series", [*params.items(), ("group_by", "day"), ("compare", "previous_year")])
    # [2029-02-26, 2029-03-05) - 364 days = [2028-02-28, 2028-03-06): Monday to Monday, 2028-02-29 inside
    assert body["previous_window"] == {"date_from": "2028-02-28T00:00:00Z", "date_to": "2028-03-06T00:00:00Z"}
    start, end = datetime(2029, 2, 26, tzinfo=UTC), datetime(2029, 3, 5, tzinfo=UTC)
    prev_start, prev_end = comparison_window(start, end, "previous_year")
    assert body["data"] == ref.time_series(start, end, timezone, "day")
    assert body["previous"] == ref.time_series(prev_start, prev_end, timezone, "day")
    if timezone == "UTC":
        assert "2028-02-29" in [b["bucket"] for b in body["previous"]]
    for report in ("dashboard", "attempts", "carrier-health", "hour-dow-heatmap"):
        body = answer(report, [*params.items(), ("compare", "previous_year")])
        method = getattr(ref, report.replace("-", "_"))
        extra = (timezone,) if report == "hour-dow-heatmap" else ()
        assert body["previous"] == method(prev_start, prev_end, *extra), report


def test_a_window_on_the_leap_day_compares_with_the_same_weekday_a_year_before(calendar_db):
    body = answer("dashboard", [("date_from", "2028-02-29"), ("date_to", "2028-02-29"), ("compare", "previous_year")])
    # Tuesday 2028-02-29 -> Tuesday 2027-03-02 (no 29 February in 2027)
    assert body["previous_window"] == {"date_from": "2027-03-02T00:00:00Z", "date_to": "2027-03-03T00:00:00Z"}
    assert body["data"]["total_dials"] == 2 and body["previous"]["total_dials"] == 0


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_previous_year_by_week_lands_on_iso_week_53(calendar_db, timezone):
    ref = calendar_db
    params = [("date_from", "2027-12-27"), ("date_to", "2028-01-09"), ("timezone", timezone), ("group_by", "week")]
    body = answer("time-series", [*params, ("compare", "previous_year")])
    # [2027-12-27, 2028-01-10) is ISO weeks 2027-W52 and 2028-W01; 364 days earlier is 2026-W53 and 2027-W01
    assert body["previous_window"] == {"date_from": "2026-12-28T00:00:00Z", "date_to": "2027-01-11T00:00:00Z"}
    start, end = datetime(2027, 12, 27, tzinfo=UTC), datetime(2028, 1, 10, tzinfo=UTC)
    prev_start, prev_end = comparison_window(start, end, "previous_year")
    assert body["data"] == ref.time_series(start, end, timezone, "week")
    assert body["previous"] == ref.time_series(prev_start, prev_end, timezone, "week")
    if timezone == "UTC":
        assert [b["bucket"] for b in body["data"]] == ["2027-W52", "2028-W01"]
        assert [b["bucket"] for b in body["previous"]] == ["2026-W53", "2027-W01"]


@pytest.mark.parametrize("compare", ["previous_period", "previous_year"])
@pytest.mark.parametrize("report", ["dashboard", "time-series", "attempts", "carrier-health", "funnel"])
def test_comparison_windows_that_start_before_the_first_call(calendar_db, compare, report):
    ref = calendar_db
    # The first call is at 2026-12-27 22:00; both comparison windows of this one start before it.
    start, end = datetime(2026, 12, 27, tzinfo=UTC), datetime(2027, 1, 5, tzinfo=UTC)
    params = [("date_from", "2026-12-27"), ("date_to", "2027-01-04"), ("compare", compare)]
    body = answer(report, params)
    prev_start, prev_end = comparison_window(start, end, compare)
    assert prev_start < datetime(2026, 12, 27, 22, tzinfo=UTC)
    assert body["previous"] == getattr(ref, report.replace("-", "_"))(prev_start, prev_end)
    assert body["data"] == getattr(ref, report.replace("-", "_"))(start, end)
