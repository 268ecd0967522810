"""docs/api-reference.md §3 and §6.2: timestamps are ISO 8601 in UTC, years always four digits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from telesales_reports.timestamps import iso_utc, utc_text


def test_years_before_1000_keep_four_digits():
    moment = datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert iso_utc(moment) == "0999-01-02T03:04:05Z"
    assert utc_text(moment) == "0999-01-02 03:04:05"
    assert iso_utc(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"


def test_microseconds_are_kept_only_when_asked_and_present():
    moment = datetime(2026, 5, 22, 0, 0, 0, 120000, tzinfo=UTC)
    assert iso_utc(moment) == "2026-05-22T00:00:00Z"
    assert iso_utc(moment, sub_second=True) == "2026-05-22T00:00:00.120000Z"
    assert iso_utc(moment.replace(microsecond=0), sub_second=True) == "2026-05-22T00:00:00Z"


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), st.integers(-14 * 60, 14 * 60))
def test_any_moment_reads_back_as_the_same_instant(naive, minutes):
    moment = naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    text = iso_utc(moment, sub_second=True)
    assert len(text.split("-")[0]) == 4 and text.endswith("Z")
    assert datetime.fromisoformat(text.replace("Z", "+00:00")) == moment
