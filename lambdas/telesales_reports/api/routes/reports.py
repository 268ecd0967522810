"""The dated reports: `GET /api/telesales/reports/<report>` (JSON, or a file with format=csv|xlsx)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...reports import schemas
from ..parameters import BASE, documented_by, report_query, report_responses, time_series_query
from ..respond import run_report

router = Router()


@router.get(
    f"{BASE}/dashboard",
    summary="dashboard",
    operation_id="getDashboard",
    description="Headline KPIs of the window's calls: dials, answers and answer rate, talk time (total and per answer), distinct agents, PDPL-blocked attempts, conversions and conversion rate, and average handle time. Rates are ratios of sums over the whole window.",
    responses=report_responses(schemas.DashboardResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.DashboardResponse)
def dashboard() -> Response | dict:
    """The dashboard report for the caller's tenant."""
    return run_report("dashboard", router.current_event.raw_event)


@router.get(
    f"{BASE}/disposition-breakdown",
    summary="disposition-breakdown",
    operation_id="getDispositionBreakdown",
    description="The window's dials that carry a disposition, grouped by code with the tenant's label, category and colour, and each code's share of all disposed dials; ordered by count, then code.",
    responses=report_responses(schemas.DispositionResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.DispositionResponse)
def disposition_breakdown() -> Response | dict:
    """The disposition-breakdown report for the caller's tenant."""
    return run_report("disposition-breakdown", router.current_event.raw_event)


@router.get(
    f"{BASE}/agent-performance",
    summary="agent-performance",
    operation_id="getAgentPerformance",
    description="One row per agent with at least one dial in the window: dials, answers, average handle time, conversions and conversion rate (conversions / answers); ordered by conversions, then agent id.",
    responses=report_responses(schemas.AgentResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.AgentResponse)
def agent_performance() -> Response | dict:
    """The agent-performance report for the caller's tenant."""
    return run_report("agent-performance", router.current_event.raw_event)


@router.get(
    f"{BASE}/funnel",
    summary="funnel",
    operation_id="getFunnel",
    description="The six lead stages for the leads created in the window (Total leads, Dialed, Connected, Talked > 30s, Disposed, Converted), counting only the calls in the window that pass the filters; stages need not be monotonic.",
    responses=report_responses(schemas.FunnelResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.FunnelResponse)
def funnel() -> Response | dict:
    """The funnel report for the caller's tenant."""
    return run_report("funnel", router.current_event.raw_event)


@router.get(
    f"{BASE}/caller-id-health",
    summary="caller-id-health",
    operation_id="getCallerIdHealth",
    description="Every caller ID of the tenant with its window figures (calls, answer-seizure ratio, average talk, short and rejected calls), a health status from the configured thresholds, and today's calls in the request's timezone read live.",
    responses=report_responses(schemas.CallerIdResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.CallerIdResponse)
def caller_id_health() -> Response | dict:
    """The caller-id-health report for the caller's tenant."""
    return run_report("caller-id-health", router.current_event.raw_event)


@router.get(
    f"{BASE}/hour-dow-heatmap",
    summary="hour-dow-heatmap",
    operation_id="getHourDowHeatmap",
    description="Always 168 cells, one per local weekday (0 = Sunday) and hour in `timezone`: dials, answered calls and answer rate, zeros included; the best calling windows at a glance.",
    responses=report_responses(schemas.HeatmapResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.HeatmapResponse)
def hour_dow_heatmap() -> Response | dict:
    """The hour-dow-heatmap report for the caller's tenant."""
    return run_report("hour-dow-heatmap", router.current_event.raw_event)


@router.get(
    f"{BASE}/lead-source-attribution",
    summary="lead-source-attribution",
    operation_id="getLeadSourceAttribution",
    description="The funnel's lead cohort by lead source (trimmed; blank is `(unknown)`): leads, dialled, contacted and converted leads and the conversion rate per source; the sums over sources equal the funnel.",
    responses=report_responses(schemas.LeadSourceResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.LeadSourceResponse)
def lead_source_attribution() -> Response | dict:
    """The lead-source-attribution report for the caller's tenant."""
    return run_report("lead-source-attribution", router.current_event.raw_event)


@router.get(
    f"{BASE}/time-series",
    summary="time-series",
    operation_id="getTimeSeries",
    description="Dials, answers, talk seconds and conversions per local day, ISO week or hour (`group_by`) in `timezone`; only buckets with at least one dial, ascending.",
    responses=report_responses(schemas.TimeSeriesResponse),
    tags=["reports"],
)
@documented_by(time_series_query, returns=schemas.TimeSeriesResponse)
def time_series() -> Response | dict:
    """The time-series report for the caller's tenant."""
    return run_report("time-series", router.current_event.raw_event)


@router.get(
    f"{BASE}/attempts",
    summary="attempts",
    operation_id="getAttempts",
    description="Dials, answers and conversions by the dial's attempt number among all of its lead's dials (every campaign, all time; 10 and above as `10+`), with the answer rate and the conversion rate per dial: when to stop calling a lead.",
    responses=report_responses(schemas.AttemptsResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.AttemptsResponse)
def attempts() -> Response | dict:
    """Contact and conversion by the dial's attempt number among its lead's dials (docs/api-reference.md §6.3)."""
    return run_report("attempts", router.current_event.raw_event)


@router.get(
    f"{BASE}/carrier-health",
    summary="carrier-health",
    operation_id="getCarrierHealth",
    description="Caller-ID health rolled up by carrier over exactly the dials caller-id-health counts: each carrier's pool numbers, calls, ASR, ACD, short-call and rejected ratios, and how many of its numbers are in each health status.",
    responses=report_responses(schemas.CarrierHealthResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.CarrierHealthResponse)
def carrier_health() -> Response | dict:
    """Caller-ID health rolled up by carrier, with each carrier's numbers counted by health status (§6.4)."""
    return run_report("carrier-health", router.current_event.raw_event)
