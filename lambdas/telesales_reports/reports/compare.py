"""Comparison with an earlier window (docs/api-reference.md §6.2): `compare=previous_period|previous_year`.

The window [start, end) (after the whole-day rule) is compared with
- previous_period: [start - (end - start), start), the same length just before it;
- previous_year: [start - 364 days, end - 364 days), 52 weeks earlier so weekdays line up.
The previous report is the same report over that window with the same filters, timezone and group_by.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..timestamps import iso_utc

COMPARES = ("previous_period", "previous_year")
YEAR_SHIFT = timedelta(days=364)
EARLIEST_START = datetime(1, 1, 1, tzinfo=UTC)


def comparison_window(start: datetime, end: datetime, compare: str) -> tuple[datetime, datetime] | None:
    """The comparison window of [start, end); None when it would start before 0001-01-01 (no calendar)."""
    try:
        if compare == "previous_period":
            return start - (end - start), start
        if compare == "previous_year":
            return start - YEAR_SHIFT, end - YEAR_SHIFT
    except OverflowError:
        return None
    raise ValueError(f"not a comparison: {compare!r}")


def with_previous(report: Any, conn: Any, req: Any) -> dict:
    """The response body `{"data", "previous", "previous_window"}` of a request with `compare`.

    `report` is the registry entry: its `with_previous` (when set) computes both windows at once (attempts:
    one statement), else its `previous` (when set) computes the comparison from the window's own answer,
    e.g. caller-id-health reuses the live count of today instead of reading it twice; else `compute` runs
    for each window."""
    window = comparison_window(req.window_start, req.window_end, req.compare)
    if window is None:  # params.py rejects such requests before any query
        raise ValueError("comparison window out of range")
    start, end = window
    earlier = replace(req, window_start=start, window_end=end, compare=None)
    if report.with_previous:
        data, previous = report.with_previous(conn, req, earlier)
    else:
        data = report.compute(conn, req)
        previous = report.previous(conn, earlier, data) if report.previous else report.compute(conn, earlier)
    return {
        "data": data,
        "previous": previous,
        "previous_window": {"date_from": iso_utc(start, sub_second=True), "date_to": iso_utc(end, sub_second=True)},
    }
