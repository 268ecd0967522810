"""The dated reports: `GET /api/telesales/reports/<report>` (JSON, or a file with format=csv|xlsx)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...reports.registry import REPORTS
from ..respond import run_report
from ..routing import BASE, Doc, get

router = Router()


def report_doc(report: str, operation_id: str, description: str, query: str = "report_query") -> Doc:
    """The OpenAPI keywords of a report's route (api/routing.py): its response model from the registry,
    its query from api/parameters.py."""

    def doc() -> dict[str, Any]:
        from .. import parameters

        model = REPORTS[report].response_model
        return {
            "summary": report,
            "operation_id": operation_id,
            "description": description,
            "responses": parameters.report_responses(model),
            "tags": ["reports"],
            "query": getattr(parameters, query),
            "returns": model,
        }

    return doc


@get(
    router,
    f"{BASE}/dashboard",
    report_doc(
        "dashboard",
        "getDashboard",
        "Headline KPIs of the window's calls: dials, answers and answer rate, talk time (total and per answer), distinct agents, PDPL-blocked attempts, conversions and conversion rate, and average handle time. Rates are ratios of sums over the whole window.",
    ),
)
def dashboard() -> Response | dict:
    """The dashboard report for the caller's tenant."""
    return run_report("dashboard", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/disposition-breakdown",
    report_doc(
        "disposition-breakdown",
        "getDispositionBreakdown",
        "The window's dials that carry a disposition, grouped by code with the tenant's label, category and colour, and each code's share of all disposed dials; ordered by count, then code.",
    ),
)
def disposition_breakdown() -> Response | dict:
    """The disposition-breakdown report for the caller's tenant."""
    return run_report("disposition-breakdown", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/agent-performance",
    report_doc(
        "agent-performance",
        "getAgentPerformance",
        "One row per agent with at least one dial in the window: dials, answers, average handle time, conversions and conversion rate (conversions / answers); ordered by conversions, then agent id.",
    ),
)
def agent_performance() -> Response | dict:
    """The agent-performance report for the caller's tenant."""
    return run_report("agent-performance", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/funnel",
    report_doc(
        "funnel",
        "getFunnel",
        "The six lead stages for the leads created in the window (Total leads, Dialed, Connected, Talked > 30s, Disposed, Converted), counting only the calls in the window that pass the filters; stages need not be monotonic.",
    ),
)
def funnel() -> Response | dict:
    """The funnel report for the caller's tenant."""
    return run_report("funnel", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/caller-id-health",
    report_doc(
        "caller-id-health",
        "getCallerIdHealth",
        "Every caller ID of the tenant with its window figures (calls, answer-seizure ratio, average talk, short and rejected calls), a health status from the configured thresholds, and today's calls in the request's timezone read live.",
    ),
)
def caller_id_health() -> Response | dict:
    """The caller-id-health report for the caller's tenant."""
    return run_report("caller-id-health", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/hour-dow-heatmap",
    report_doc(
        "hour-dow-heatmap",
        "getHourDowHeatmap",
        "Always 168 cells, one per local weekday (0 = Sunday) and hour in `timezone`: dials, answered calls and answer rate, zeros included; the best calling windows at a glance.",
    ),
)
def hour_dow_heatmap() -> Response | dict:
    """The hour-dow-heatmap report for the caller's tenant."""
    return run_report("hour-dow-heatmap", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/lead-source-attribution",
    report_doc(
        "lead-source-attribution",
        "getLeadSourceAttribution",
        "The funnel's lead cohort by lead source (trimmed; blank is `(unknown)`): leads, dialled, contacted and converted leads and the conversion rate per source; the sums over sources equal the funnel.",
    ),
)
def lead_source_attribution() -> Response | dict:
    """The lead-source-attribution report for the caller's tenant."""
    return run_report("lead-source-attribution", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/time-series",
    report_doc(
        "time-series",
        "getTimeSeries",
        "Dials, answers, talk seconds and conversions per local day, ISO week or hour (`group_by`) in `timezone`; only buckets with at least one dial, ascending.",
        query="time_series_query",
    ),
)
def time_series() -> Response | dict:
    """The time-series report for the caller's tenant."""
    return run_report("time-series", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/attempts",
    report_doc(
        "attempts",
        "getAttempts",
        "Dials, answers and conversions by the dial's attempt number among all of its lead's dials (every campaign, all time; 10 and above as `10+`), with the answer rate and the conversion rate per dial: when to stop calling a lead.",
    ),
)
def attempts() -> Response | dict:
    """Contact and conversion by the dial's attempt number among its lead's dials (docs/api-reference.md §6.3)."""
    return run_report("attempts", router.current_event.raw_event)


@get(
    router,
    f"{BASE}/carrier-health",
    report_doc(
        "carrier-health",
        "getCarrierHealth",
        "Caller-ID health rolled up by carrier over exactly the dials caller-id-health counts: each carrier's pool numbers, calls, ASR, ACD, short-call and rejected ratios, and how many of its numbers are in each health status.",
    ),
)
def carrier_health() -> Response | dict:
    """Caller-ID health rolled up by carrier, with each carrier's numbers counted by health status (§6.4)."""
    return run_report("carrier-health", router.current_event.raw_event)
