"""Every parameter limit of the API, in one place: the request parser enforces them and the OpenAPI
parameter types document them (docs/openapi.json)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# date_from..date_to: at most 90 days.
MAX_RANGE_DAYS = 90
MAX_RANGE = timedelta(days=MAX_RANGE_DAYS)
# The reports round the window out to whole UTC slots and days; past this they would overflow.
LATEST_WINDOW_END = datetime(9999, 12, 31, tzinfo=UTC)
# abandon-rate's window_minutes: 1..129,600 (90 days), 43,200 (30 days) when absent; the scheduled
# snapshot measures the same default window.
WINDOW_MINUTES_MIN = 1
WINDOW_MINUTES_MAX = 129_600
WINDOW_MINUTES_DEFAULT = 43_200
# Ids are PostgreSQL bigints.
BIGINT_MAX = 2**63 - 1
# A Lambda (API Gateway proxy) response, envelope included, in bytes (exports/storage.py, api/response_size.py).
LAMBDA_RESPONSE_LIMIT = 6_291_456
