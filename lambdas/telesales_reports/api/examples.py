"""Example bodies of the OpenAPI document: one per operation and status, written once here.

Every example is checked against the document's own schema (tests/unit/test_openapi_document.py),
so a mock server built from the document returns bodies a real client could get. A new operation
needs its success example here (keyed by its operationId), or that test fails.
"""

from __future__ import annotations

from typing import Any


def _heatmap() -> list[dict[str, Any]]:
    busy = {(1, 9): (120, 30), (1, 10): (96, 31), (2, 14): (88, 17)}  # Monday 09-10 h, Tuesday 14 h
    cells = []
    for day in range(7):
        for hour in range(24):
            dials, answered = busy.get((day, hour), (0, 0))
            rate = round(100 * answered / dials, 1) if dials else 0
            cells.append(
                {"day_of_week": day, "hour": hour, "dials": dials, "answered": answered, "answer_rate_pct": rate}
            )
    return cells


SUCCESS: dict[str, Any] = {
    "getDashboard": {
        "data": {
            "total_dials": 1250,
            "total_answers": 312,
            "answer_rate_pct": "24.96",
            "avg_talk_time_sec": "184.5",
            "total_talk_time_sec": "57563",
            "unique_agents": 18,
            "pdpl_blocked_count": 7,
            "total_conversions": 41,
            "conversion_rate_pct": "13.14",
            "avg_aht_sec": 236,
        }
    },
    "getDispositionBreakdown": {
        "data": [
            {
                "code": "no_answer",
                "label": "No Answer",
                "category": "no_contact",
                "color": "#6B7280",
                "count": 640,
                "pct": "68.38",
            },
            {
                "code": "callback",
                "label": "Call back",
                "category": "callback",
                "color": "#F59E0B",
                "count": 255,
                "pct": "27.24",
            },
            {
                "code": "sale",
                "label": "Sale Success",
                "category": "contact",
                "color": "#10B981",
                "count": 41,
                "pct": "4.38",
            },
        ]
    },
    "getAgentPerformance": {
        "data": [
            {
                "agent_id": 25,
                "name": "Nguyễn Văn A",
                "username": "agent01",
                "dials": 152,
                "answers": 61,
                "avg_aht_sec": 241,
                "conversions": 28,
                "conv_rate": 45.9,
            },
            {
                "agent_id": 26,
                "name": "Trần Thị B",
                "username": "agent02",
                "dials": 140,
                "answers": 50,
                "avg_aht_sec": 198,
                "conversions": 9,
                "conv_rate": 18,
            },
        ]
    },
    "getFunnel": {
        "data": [
            {"stage": "Total leads", "count": 1000},
            {"stage": "Dialed", "count": 870},
            {"stage": "Connected", "count": 412},
            {"stage": "Talked > 30s", "count": 305},
            {"stage": "Disposed", "count": 398},
            {"stage": "Converted", "count": 41},
        ]
    },
    "getCallerIdHealth": {
        "data": [
            {
                "cid": "0281234567",
                "display_name": "Sales Line 1",
                "carrier": "viettel",
                "cli_type": "fixed_02x",
                "pool_status": "active",
                "cooldown_until": None,
                "daily_cap": 300,
                "total_calls": 480,
                "answered_calls": 150,
                "asr_pct": 31.3,
                "acd_sec": 95,
                "short_calls": 40,
                "short_call_ratio_pct": 8.3,
                "rejected_calls": 12,
                "health_status": "healthy",
                "health_calls_today": 36,
            },
            {
                "cid": "0909000002",
                "display_name": None,
                "carrier": "mobifone",
                "cli_type": "mobile",
                "pool_status": "cooldown",
                "cooldown_until": "2026-06-09T02:31:14Z",
                "daily_cap": 200,
                "total_calls": 200,
                "answered_calls": 15,
                "asr_pct": 7.5,
                "acd_sec": 22,
                "short_calls": 9,
                "short_call_ratio_pct": 4.5,
                "rejected_calls": 70,
                "health_status": "suspected_block",
                "health_calls_today": 0,
            },
        ]
    },
    "getHourDowHeatmap": {"data": _heatmap()},
    "getLeadSourceAttribution": {
        "data": [
            {
                "source": "facebook",
                "total_leads": 600,
                "dialed_count": 540,
                "contacted_count": 260,
                "conv_count": 30,
                "conv_rate_pct": "5.00",
            },
            {
                "source": "(unknown)",
                "total_leads": 50,
                "dialed_count": 20,
                "contacted_count": 8,
                "conv_count": 1,
                "conv_rate_pct": "2.00",
            },
        ]
    },
    "getTimeSeries": {
        "data": [
            {"bucket": "2026-06-01", "dials": 410, "answers": 102, "talk_sec": 18840, "conversions": 13},
            {"bucket": "2026-06-02", "dials": 388, "answers": 97, "talk_sec": 17215, "conversions": 11},
        ]
    },
    "getAttempts": {
        "data": [
            {
                "attempt": "1",
                "dials": 4210,
                "answers": 1431,
                "answer_rate_pct": "33.99",
                "conversions": 187,
                "conversion_rate_pct": "4.44",
                "avg_talk_time_sec": "121.6",
            },
            {
                "attempt": "2",
                "dials": 2974,
                "answers": 803,
                "answer_rate_pct": "27.00",
                "conversions": 71,
                "conversion_rate_pct": "2.39",
                "avg_talk_time_sec": "98.2",
            },
            {
                "attempt": "10+",
                "dials": 312,
                "answers": 22,
                "answer_rate_pct": "7.05",
                "conversions": 1,
                "conversion_rate_pct": "0.32",
                "avg_talk_time_sec": "40.9",
            },
        ]
    },
    "getCarrierHealth": {
        "data": [
            {
                "carrier": "viettel",
                "caller_ids": 212,
                "total_calls": 48211,
                "answered_calls": 15140,
                "asr_pct": 31.4,
                "acd_sec": 96,
                "short_call_ratio_pct": 4.2,
                "rejected_ratio_pct": 3.1,
                "healthy": 198,
                "warning": 9,
                "suspected_block": 1,
                "no_data": 4,
            },
            {
                "carrier": "mobifone",
                "caller_ids": 118,
                "total_calls": 20377,
                "answered_calls": 1834,
                "asr_pct": 9.0,
                "acd_sec": 41,
                "short_call_ratio_pct": 12.6,
                "rejected_ratio_pct": 35.2,
                "healthy": 2,
                "warning": 10,
                "suspected_block": 103,
                "no_data": 3,
            },
        ]
    },
    "getAbandonRate": {
        "data": {
            "current": {
                "campaign_id": 43,
                "attempts_total": 2150,
                "attempts_abandoned": 51,
                "abandon_rate_pct": 2.37,
                "window_minutes": 43200,
                "window_from": "2026-05-11 08:00:00",
                "window_to": "2026-06-10 08:00:00",
                "tenant_id": 1,
                "campaign_name": "Outbound Sales Q3-2026 03",
                "campaign_status": "active",
                "limit_pct": 3,
                "breached": False,
            },
            "breaches": [
                {
                    "snapshot_at": "2026-06-02 14:05:00",
                    "window_from": "2026-05-03 14:05:00",
                    "window_to": "2026-06-02 14:05:00",
                    "attempts_total": 1980,
                    "attempts_abandoned": 62,
                    "abandon_rate_pct": 3.13,
                    "limit_pct": 3,
                }
            ],
        }
    },
    "getFilters": {
        "data": {
            "campaigns": [
                {"id": 43, "name": "Outbound Sales Q3-2026 03", "status": "active"},
                {"id": 44, "name": "Retention", "status": "paused"},
            ],
            "teams": [{"id": 7, "name": "Team Hà Nội"}, {"id": 8, "name": "Team Sài Gòn"}],
            "agents": [
                {"id": 25, "name": "Nguyễn Văn A", "username": "agent01", "team_id": 7},
                {"id": 27, "name": "Lê Hoàng C", "username": "agent03", "team_id": None},
            ],
            "timezones": ["America/New_York", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "UTC"],
        }
    },
}


def csv_example() -> str:
    """The agent-performance example above as the CSV export writes it (BOM, CRLF, numbers as the JSON
    spells them): the exporter itself renders it, so the document cannot drift from the files."""
    from ..exports import csv_writer
    from ..exports.templates import layout_for

    rows = SUCCESS["getAgentPerformance"]["data"]
    return csv_writer.render(layout_for("agent-performance", None), rows).decode("utf-8")


# Bodies of the other statuses. Two sources answer some of them: the gateway itself (API Gateway's
# fixed bodies, which an HTTP API cannot change) and the application (the contract's bodies).
ERRORS: dict[int, dict[str, dict[str, Any]]] = {
    401: {
        "gateway": {"summary": "API Gateway: no, expired or unverifiable token", "value": {"message": "Unauthorized"}},
        "application": {
            "summary": "The token has no integer tenant_id claim",
            "value": {"message": "Unauthenticated."},
        },
    },
    404: {"application": {"summary": "Unknown route or report", "value": {"message": "Not Found."}}},
    422: {
        "application": {
            "summary": "Every failing field at once",
            "value": {
                "message": "The given data was invalid.",
                "errors": {
                    "date_to": ["The date_from..date_to range may not exceed 90 days."],
                    "agent_ids.1": ["The selected agent_ids.1 is invalid."],
                },
            },
        }
    },
    429: {
        "gateway": {
            "summary": "API Gateway throttling (50 requests/s, bursts of 100)",
            "value": {"message": "Too Many Requests"},
        }
    },
    500: {
        "application": {
            "summary": "An unexpected fault (logged; never a stack trace)",
            "value": {"message": "Server Error."},
        },
        "gateway": {"summary": "API Gateway: the function crashed", "value": {"message": "Internal Server Error"}},
    },
    503: {
        "application": {"summary": "Database unreachable or timed out", "value": {"message": "Service Unavailable."}},
        "gateway": {
            "summary": "API Gateway: the function did not answer within 30 s",
            "value": {"message": "Service Unavailable"},
        },
    },
}
