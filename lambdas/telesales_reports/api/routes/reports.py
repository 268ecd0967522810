"""The eight dated reports: `GET /api/telesales/reports/<report>` (JSON, or a file with format=csv|xlsx)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...reports import schemas
from ..parameters import BASE, documented_by, report_query, report_responses, time_series_query
from ..respond import run_report

router = Router()


@router.get(
    f"{BASE}/dashboard", summary="dashboard", responses=report_responses(schemas.DashboardResponse), tags=["reports"]
)
@documented_by(report_query, returns=schemas.DashboardResponse)
def dashboard() -> Response | dict:
    """The dashboard report for the caller's tenant."""
    return run_report("dashboard", router.current_event.raw_event)


@router.get(
    f"{BASE}/disposition-breakdown",
    summary="disposition-breakdown",
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
    responses=report_responses(schemas.AgentResponse),
    tags=["reports"],
)
@documented_by(report_query, returns=schemas.AgentResponse)
def agent_performance() -> Response | dict:
    """The agent-performance report for the caller's tenant."""
    return run_report("agent-performance", router.current_event.raw_event)


@router.get(f"{BASE}/funnel", summary="funnel", responses=report_responses(schemas.FunnelResponse), tags=["reports"])
@documented_by(report_query, returns=schemas.FunnelResponse)
def funnel() -> Response | dict:
    """The funnel report for the caller's tenant."""
    return run_report("funnel", router.current_event.raw_event)


@router.get(
    f"{BASE}/caller-id-health",
    summary="caller-id-health",
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
    responses=report_responses(schemas.TimeSeriesResponse),
    tags=["reports"],
)
@documented_by(time_series_query, returns=schemas.TimeSeriesResponse)
def time_series() -> Response | dict:
    """The time-series report for the caller's tenant."""
    return run_report("time-series", router.current_event.raw_event)
