"""The report request as a value (what every report computes from) and the window rules (docs/api-reference.md
section 1): how date_from / date_to become a UTC window [start, end). Pure: no event, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ..limits import LATEST_WINDOW_END, MAX_RANGE, MAX_RANGE_DAYS, WINDOW_MINUTES_DEFAULT

DATE_ONLY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATETIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
# A `+` typed raw in a query string arrives as a space (form encoding reads `+` as one): an offset after a
# space, `2026-06-01T07:00:00 07:00`, can only have been `+07:00` (DECISIONLOG 90).
PLUS_AS_SPACE_RE = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?) ([0-9]{2}(?::?[0-9]{2})?)$"
)
RANGE_MESSAGE = f"The date_from..date_to range may not exceed {MAX_RANGE_DAYS} days."
INVALID_DATE_TO = "The date to field must be a valid date."


@dataclass(frozen=True)
class ReportRequest:
    """A validated request: the tenant, the UTC window [start, end) and the filters."""

    tenant_id: int
    window_start: datetime | None = None
    window_end: datetime | None = None
    date_from_text: str = ""
    date_to_text: str = ""
    campaign_id: int | None = None
    team_id: int | None = None
    agent_ids: tuple[int, ...] = ()
    timezone: str = "UTC"
    format: str = "json"
    group_by: str = "day"
    window_minutes: int = WINDOW_MINUTES_DEFAULT
    compare: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def file_dates(self) -> tuple[str, str]:
        """The calendar dates as written in date_from / date_to, YYYYMMDD (export file names)."""
        return (self.date_from_text[:10].replace("-", ""), self.date_to_text[:10].replace("-", ""))


class WindowRejected(ValueError):
    """date_from / date_to are valid dates but do not make a window; `message` is the contract's."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_datetime(text: str) -> tuple[datetime, bool] | None:
    """ISO 8601 date or datetime -> (UTC datetime, is_date_only); None when not a valid date."""
    text = PLUS_AS_SPACE_RE.sub(r"\1+\2", text.strip())
    try:
        if DATE_ONLY_RE.match(text):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), True
        if DATETIME_RE.match(text):
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC), False
    except (ValueError, OverflowError):
        return None
    return None


def report_window(start: datetime, end: datetime, end_is_date: bool) -> tuple[datetime, datetime]:
    """The UTC window [start, end) of date_from = `start` and date_to = `end`; WindowRejected (a date_to
    error) when date_to precedes date_from, the range exceeds 90 days, or the end is out of range."""
    if end < start:
        raise WindowRejected("The date to field must be a date after or equal to date from.")
    if end - start > MAX_RANGE:
        raise WindowRejected(RANGE_MESSAGE)
    # docs/api-reference.md §1, Decision: a date alone as date_to includes that whole day.
    try:
        window_end = end + timedelta(days=1) if end_is_date else end
    except OverflowError:
        raise WindowRejected(INVALID_DATE_TO) from None
    if window_end > LATEST_WINDOW_END:
        raise WindowRejected(INVALID_DATE_TO)
    return start, window_end
