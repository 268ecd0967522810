"""docs/api-reference.md §1 without a database: date parsing, the window rules, the tenant claim and
the query string."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_dev.events import http_api_event
from telesales_reports.api.errors import Unauthenticated
from telesales_reports.api.params import query_pairs, tenant_from_event
from telesales_reports.limits import BIGINT_MAX, LATEST_WINDOW_END, MAX_RANGE
from telesales_reports.reports.request import (
    RANGE_MESSAGE,
    ReportRequest,
    WindowRejected,
    parse_datetime,
    report_window,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-01", (datetime(2026, 6, 1, tzinfo=UTC), True)),
        (" 2026-06-01 ", (datetime(2026, 6, 1, tzinfo=UTC), True)),
        ("2026-06-01T07:00:00+07:00", (datetime(2026, 6, 1, tzinfo=UTC), False)),
        ("2026-06-01T07:00:00Z", (datetime(2026, 6, 1, 7, tzinfo=UTC), False)),
        ("2026-06-01 07:30", (datetime(2026, 6, 1, 7, 30, tzinfo=UTC), False)),
        ("2026-06-01T07:00:00.123456-0530", (datetime(2026, 6, 1, 12, 30, 0, 123456, tzinfo=UTC), False)),
        ("2024-02-29", (datetime(2024, 2, 29, tzinfo=UTC), True)),
        # a `+` typed raw in a query string arrives as a space (form encoding): still the offset
        ("2026-06-01T07:00:00 07:00", (datetime(2026, 6, 1, tzinfo=UTC), False)),
        ("2026-06-01 12:45 0545", (datetime(2026, 6, 1, 7, tzinfo=UTC), False)),
        ("2026-06-01T07:00:00.5 07", (datetime(2026, 6, 1, 0, 0, 0, 500000, tzinfo=UTC), False)),
    ],
)
def test_valid_dates(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-02-29",
        "2026-13-01",
        "01/06/2026",
        "2026-06-01T25:00",
        "2026-06-01T07:00+25:00",
        "now",
        "2026-6-1",
        "2026-06-01T07:00:00  07:00",
        "2026-06-01 07:00 -07:00",
        "2026-06-01 07",
    ],
)
def test_invalid_dates(text):
    assert parse_datetime(text) is None


def test_a_bare_date_to_includes_that_whole_day():
    start, end = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 10, tzinfo=UTC)
    assert report_window(start, end, end_is_date=True) == (start, end + timedelta(days=1))
    assert report_window(start, end, end_is_date=False) == (start, end)


def test_exactly_90_days_is_allowed_one_second_more_is_not():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert report_window(start, start + MAX_RANGE, end_is_date=True)[1] == start + MAX_RANGE + timedelta(days=1)
    with pytest.raises(WindowRejected) as info:
        report_window(start, start + MAX_RANGE + timedelta(seconds=1), end_is_date=False)
    assert info.value.message == RANGE_MESSAGE == "The date_from..date_to range may not exceed 90 days."


def test_date_to_before_date_from_is_rejected():
    start = datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(WindowRejected) as info:
        report_window(start, start - timedelta(seconds=1), end_is_date=False)
    assert info.value.message == "The date to field must be a date after or equal to date from."


def test_a_window_past_the_last_representable_day_is_an_invalid_date():
    start = LATEST_WINDOW_END - timedelta(days=2)
    with pytest.raises(WindowRejected, match="must be a valid date"):
        report_window(start, LATEST_WINDOW_END, end_is_date=True)


@given(
    start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    seconds=st.integers(min_value=0, max_value=int(MAX_RANGE.total_seconds())),
    end_is_date=st.booleans(),
)
def test_accepted_windows_are_never_empty_and_start_at_date_from(start, seconds, end_is_date):
    window_start, window_end = report_window(start, start + timedelta(seconds=seconds), end_is_date)
    assert window_start == start
    assert window_end >= window_start
    assert window_end > window_start or not end_is_date and seconds == 0


def test_export_file_dates_are_the_dates_as_written():
    req = ReportRequest(tenant_id=1, date_from_text="2026-06-01T07:00:00+07:00", date_to_text="2026-06-30")
    assert req.file_dates == ("20260601", "20260630")


def _event(claims):
    event = http_api_event("GET", "/api/telesales/reports/dashboard", "", claims=claims)
    return event


@pytest.mark.parametrize(("claim", "tenant"), [("7", 7), (" 7 ", 7), (7, 7), ("+7", 7), (str(BIGINT_MAX), BIGINT_MAX)])
def test_tenant_claim(claim, tenant):
    assert tenant_from_event(_event({"tenant_id": claim})) == tenant


@pytest.mark.parametrize("claim", ["0", "-1", "1.5", "abc", "", True, None, 1.0, str(BIGINT_MAX + 1), ["1"]])
def test_unusable_tenant_claims_are_unauthenticated(claim):
    with pytest.raises(Unauthenticated):
        tenant_from_event(_event({"tenant_id": claim}))


def test_no_claims_no_authorizer_no_tenant():
    with pytest.raises(Unauthenticated):
        tenant_from_event(_event({"sub": "u1"}))
    with pytest.raises(Unauthenticated):
        tenant_from_event(_event(None))


def test_query_pairs_keep_order_and_repeated_keys():
    event = http_api_event("GET", "/x", "agent_ids%5B%5D=25&agent_ids%5B%5D=26&timezone=&a=1", claims=None)
    assert query_pairs(event) == [("agent_ids[]", "25"), ("agent_ids[]", "26"), ("timezone", ""), ("a", "1")]
    # Without rawQueryString (some proxies), the joined parameters API Gateway passes
    event.pop("rawQueryString")
    assert query_pairs(event) == [("agent_ids[]", "25,26"), ("timezone", ""), ("a", "1")]
