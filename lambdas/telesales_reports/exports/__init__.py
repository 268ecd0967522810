"""CSV and XLSX exports of the eight dated reports (REPORTS.md section 5).

`render.export_response` is the one entry point (called by the API handler for `format=csv|xlsx`).
This module only holds the generic layout: every report's JSON fields in JSON order, each with the
kind of value the JSON carries (seed field tables), so that the writers know which cells are numbers.
It imports nothing heavy: openpyxl is loaded only on the XLSX path and boto3 only on the S3 paths.
"""

from __future__ import annotations

INT = "int"  # JSON integer -> integer cell
NUMBER = "number"  # JSON number (float) -> numeric cell
DECIMAL = "decimal"  # decimal string ("64.07", "57563") -> numeric cell in XLSX, text as-is in CSV
TEXT = "text"
DATETIME = "datetime"  # ISO 8601 UTC string ("2026-06-09T02:31:14Z") -> date-time cell in XLSX

# Generic layout: field name and kind, in the order of the JSON objects (reports/compute.py).
LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "dashboard": (
        ("total_dials", INT),
        ("total_answers", INT),
        ("answer_rate_pct", DECIMAL),
        ("avg_talk_time_sec", DECIMAL),
        ("total_talk_time_sec", DECIMAL),
        ("unique_agents", INT),
        ("pdpl_blocked_count", INT),
        ("total_conversions", INT),
        ("conversion_rate_pct", DECIMAL),
        ("avg_aht_sec", INT),
    ),
    "disposition-breakdown": (
        ("code", TEXT),
        ("label", TEXT),
        ("category", TEXT),
        ("color", TEXT),
        ("count", INT),
        ("pct", DECIMAL),
    ),
    "agent-performance": (
        ("agent_id", INT),
        ("name", TEXT),
        ("username", TEXT),
        ("dials", INT),
        ("answers", INT),
        ("avg_aht_sec", INT),
        ("conversions", INT),
        ("conv_rate", NUMBER),
    ),
    "funnel": (
        ("stage", TEXT),
        ("count", INT),
    ),
    "caller-id-health": (
        ("cid", TEXT),
        ("display_name", TEXT),
        ("carrier", TEXT),
        ("cli_type", TEXT),
        ("pool_status", TEXT),
        ("cooldown_until", DATETIME),
        ("daily_cap", INT),
        ("total_calls", INT),
        ("answered_calls", INT),
        ("asr_pct", NUMBER),
        ("acd_sec", INT),
        ("short_calls", INT),
        ("short_call_ratio_pct", NUMBER),
        ("rejected_calls", INT),
        ("health_status", TEXT),
        ("health_calls_today", INT),
    ),
    "hour-dow-heatmap": (
        ("day_of_week", INT),
        ("hour", INT),
        ("dials", INT),
        ("answered", INT),
        ("answer_rate_pct", NUMBER),
    ),
    "lead-source-attribution": (
        ("source", TEXT),
        ("total_leads", INT),
        ("dialed_count", INT),
        ("contacted_count", INT),
        ("conv_count", INT),
        ("conv_rate_pct", DECIMAL),
    ),
    "time-series": (
        ("bucket", TEXT),
        ("dials", INT),
        ("answers", INT),
        ("talk_sec", INT),
        ("conversions", INT),
    ),
}

PERCENT_FORMAT = "0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def default_number_format(field: str, kind: str) -> str | None:
    """REPORTS.md section 5: `*_pct` columns and `conv_rate` as `0.00`; date-times with a date-time format."""
    if field.endswith("_pct") or field == "conv_rate":
        return PERCENT_FORMAT
    if kind == DATETIME:
        return DATETIME_FORMAT
    return None
