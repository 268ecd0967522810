"""Timestamps as the contract writes them (docs/api-reference.md §3, §6.2): ISO 8601 in UTC.

`datetime.isoformat` always writes a four-digit year; `strftime("%Y")` does not on Linux (`999-01-02`
for 0999-01-02), so a window or a raw timestamp before year 1000 came out as an invalid date.
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(moment: datetime, sub_second: bool = False) -> str:
    """`2026-05-22T00:00:00Z`; with `sub_second`, a moment with microseconds keeps them."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="auto" if sub_second else "seconds") + "Z"


def utc_text(moment: datetime) -> str:
    """`2026-05-22 00:00:00` (UTC, no zone: abandon-rate's window and snapshot times)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
