"""The report API: one Lambda function behind API Gateway (HTTP API, payload v2, JWT authorizer).

Routes only parse and validate (params.py), call one report function (reports/compute.py) inside a
read-only transaction, and map domain exceptions to the contract's error bodies.
"""

from __future__ import annotations

import inspect
import json
import os
import time
from functools import partial
from typing import Annotated, Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from .. import db
from ..reports import compute
from ..reports.compare import with_previous
from ..reports.filters import filter_options
from . import schemas
from .errors import BODIES, NotFound, Unauthenticated, ValidationFailed
from .params import ReportRequest, known_timezones, parse_request, tenant_from_event

BASE = "/api/telesales/reports"
logger = Logger(service="telesales-reports")
METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "TelesalesReports")
IN_LAMBDA = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))

app = APIGatewayHttpResolver(
    enable_validation=False,
    serializer=partial(json.dumps, ensure_ascii=False, separators=(",", ":")),
)

ERROR_RESPONSES = {
    401: {"description": "No tenant claim.", "content": {"application/json": {"model": schemas.MessageBody}}},
    422: {
        "description": "The given data was invalid.",
        "content": {"application/json": {"model": schemas.ValidationErrorBody}},
    },
    503: {
        "description": "Database unreachable or timed out.",
        "content": {"application/json": {"model": schemas.MessageBody}},
    },
}
FILE_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


def _json_error(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body, ensure_ascii=False))


@app.exception_handler(ValidationFailed)
def _on_validation(exc: ValidationFailed) -> Response:
    logger.info("request rejected", extra={"fields": sorted(exc.errors)})
    return _json_error(422, exc.body())


@app.exception_handler(Unauthenticated)
def _on_unauthenticated(_: Unauthenticated) -> Response:
    return _json_error(401, BODIES[401])


@app.exception_handler(db.ServiceUnavailable)
def _on_unavailable(exc: db.ServiceUnavailable) -> Response:
    logger.warning("database unavailable", extra={"reason": str(exc)})
    return _json_error(503, BODIES[503])


@app.exception_handler(NotFound)
def _on_not_found(_: NotFound) -> Response:
    return _json_error(404, BODIES[404])


@app.not_found
def _on_no_route(_: NotFoundError) -> Response:
    return _json_error(404, BODIES[404])


@app.exception_handler(Exception)
def _on_error(exc: Exception) -> Response:
    logger.exception("unhandled error")
    return _json_error(500, BODIES[500])


# Parameter declarations shared by the report routes: they document the API (OpenAPI); the values
# are parsed from the raw query string by params.parse_request, which enforces REPORTS.md section 1.
DateFrom = Annotated[
    str,
    Query(
        description="Window start: ISO 8601 date or datetime; no offset = UTC, an offset is honoured.",
        examples=["2026-06-01", "2026-06-01T07:00:00+07:00"],
    ),
]
DateTo = Annotated[
    str,
    Query(
        description="Window end: a date alone includes that whole day; a datetime is an exclusive end. "
        "At most 90 days after date_from.",
        examples=["2026-06-10"],
    ),
]
CampaignId = Annotated[int | None, Query(description="Campaign of the caller's tenant.")]
TeamId = Annotated[int | None, Query(description="Team of the caller's tenant.")]
AgentIds = Annotated[
    list[int] | None,
    Query(alias="agent_ids[]", description="Agents of the caller's tenant (repeat the key). At most 500."),
]
Timezone = Annotated[str, Query(description="TZDB name used to bucket days and hours.")]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="Response format.")]
GroupBy = Annotated[Literal["day", "week", "hour"], Query(description="Time-series bucket.")]
Compare = Annotated[
    Literal["previous_period", "previous_year"] | None,
    Query(
        description="Also compute the report over an earlier window: the same length just before "
        "(previous_period) or 364 days earlier (previous_year); the body then carries `previous` and "
        "`previous_window`. Exports validate it and ignore it.",
    ),
]


def _tenant() -> int:
    return tenant_from_event(app.current_event.raw_event)


def run_report(report: str, req: ReportRequest | None = None) -> Response | dict:
    """Validate the request, compute the report in one read-only transaction, render JSON or a file."""
    event = app.current_event.raw_event
    _tenant()
    started = time.perf_counter()
    with db.read_only() as conn:
        if req is None:
            req = parse_request(event, conn, with_group_by=report == "time-series")
        logger.append_keys(tenant_id=req.tenant_id, report=report)
        data = compute.REPORTS[report](conn, req)
        body = {"data": data}
        if req.format == "json" and req.compare:  # exports validate compare and ignore it (section 6.2)
            body = with_previous(compute.REPORTS[report], conn, req, data)
    _record(report, started, data)
    if req.format == "json":
        return body
    from ..exports.render import export_response

    return export_response(report, req, data)


def documented_by(signature_of):
    """Give a route the signature of `signature_of` for the OpenAPI document only.

    Powertools' own validation is off: REPORTS.md's 422 rules (all fields at once, `agent_ids.N`
    keys, tenant-scoped ids) are enforced by params.parse_request on the raw query string.
    """

    def decorate(route):
        route.__signature__ = inspect.signature(signature_of)
        route.__doc__ = signature_of.__doc__
        return route

    return decorate


def _record(report: str, started: float, data) -> None:
    """Per-report latency and row count: a log line always, CloudWatch EMF metrics in Lambda."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    rows = len(data) if isinstance(data, list) else 1
    logger.info("report computed", extra={"elapsed_ms": round(elapsed_ms, 1), "rows": rows})
    if not IN_LAMBDA:  # locally EMF would only be JSON noise on stdout
        return
    for name, unit, value in (
        ("ReportLatency", MetricUnit.Milliseconds, elapsed_ms),
        ("ReportRows", MetricUnit.Count, rows),
    ):
        with single_metric(name=name, unit=unit, value=value, namespace=METRICS_NAMESPACE) as metric:
            metric.add_dimension(name="report", value=report)


def _register_report(report: str) -> None:
    """One GET route per report, with the shared parameters in its signature (for the OpenAPI)."""

    def route() -> dict:
        return run_report(report)

    params = [
        inspect.Parameter("date_from", inspect.Parameter.KEYWORD_ONLY, annotation=DateFrom),
        inspect.Parameter("date_to", inspect.Parameter.KEYWORD_ONLY, annotation=DateTo),
        inspect.Parameter("campaign_id", inspect.Parameter.KEYWORD_ONLY, annotation=CampaignId, default=None),
        inspect.Parameter("team_id", inspect.Parameter.KEYWORD_ONLY, annotation=TeamId, default=None),
        inspect.Parameter("agent_ids", inspect.Parameter.KEYWORD_ONLY, annotation=AgentIds, default=None),
        inspect.Parameter("timezone", inspect.Parameter.KEYWORD_ONLY, annotation=Timezone, default="UTC"),
        inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, annotation=Format, default="json"),
        inspect.Parameter("compare", inspect.Parameter.KEYWORD_ONLY, annotation=Compare, default=None),
    ]
    if report == "time-series":
        params.append(inspect.Parameter("group_by", inspect.Parameter.KEYWORD_ONLY, annotation=GroupBy, default="day"))
    model = schemas.RESPONSE_MODELS[report]
    route.__signature__ = inspect.Signature(params, return_annotation=model)
    route.__name__ = report.replace("-", "_")
    route.__doc__ = f"The {report} report for the caller's tenant."
    app.get(
        f"{BASE}/{report}",
        summary=report,
        responses={
            200: {
                "description": "The report (or a file with format=csv|xlsx).",
                "content": {"application/json": {"model": model}, **FILE_CONTENT},
            },
            **ERROR_RESPONSES,
        },
        tags=["reports"],
    )(route)


for _report in compute.REPORTS:
    _register_report(_report)


ExportableReport = Literal[tuple(compute.REPORTS)]  # the eight reports; abandon-rate has no export


def _export_signature(
    report: Annotated[ExportableReport, Path(description="Report to export.")],
    date_from: DateFrom,
    date_to: DateTo,
    format: Annotated[Literal["csv", "xlsx"], Query(description="File format.")],  # noqa: A002
    campaign_id: CampaignId = None,
    team_id: TeamId = None,
    agent_ids: AgentIds = None,
    timezone: Timezone = "UTC",
    group_by: Annotated[Literal["day", "week", "hour"], Query(description="time-series only.")] = "day",
    compare: Compare = None,
):
    """Any report but abandon-rate as a CSV or XLSX file (REPORTS.md section 5)."""


@app.get(
    f"{BASE}/<report>/export",
    summary="export",
    responses={
        200: {"description": "The report as a file.", "content": FILE_CONTENT},
        **ERROR_RESPONSES,
        404: {"description": "Unknown report.", "content": {"application/json": {"model": schemas.MessageBody}}},
    },
    tags=["exports"],
)
@documented_by(_export_signature)
def export(report: str) -> Response:
    _tenant()
    if report not in compute.REPORTS:
        raise NotFound
    with db.read_only() as conn:
        req = parse_request(app.current_event.raw_event, conn, with_group_by=report == "time-series")
    if req.format == "json":
        message = "The format field is required." if _missing_format() else "The selected format is invalid."
        raise ValidationFailed({"format": [message]})
    return run_report(report, req)


def _missing_format() -> bool:
    from .params import query_pairs

    return not any(k == "format" for k, _ in query_pairs(app.current_event.raw_event))


def _abandon_signature(
    campaign_id: Annotated[int, Query(description="Campaign of the caller's tenant (required).")],
    window_minutes: Annotated[int, Query(ge=1, le=129600, description="Measurement window, minutes.")] = 43200,
) -> schemas.AbandonResponse:
    """Realtime abandon rate of a campaign (FTC TSR / PDPL gate), computed live from raw calls."""


@app.get(
    f"{BASE}/abandon-rate",
    summary="abandon-rate",
    responses={
        200: {
            "description": "Live abandon rate and recorded breaches.",
            "content": {"application/json": {"model": schemas.AbandonResponse}},
        },
        **ERROR_RESPONSES,
    },
    tags=["reports"],
)
@documented_by(_abandon_signature)
def abandon_rate() -> dict:
    _tenant()
    with db.read_only() as conn:
        req = parse_request(app.current_event.raw_event, conn, dated=False, abandon=True, allow_files=False)
        logger.append_keys(tenant_id=req.tenant_id, report="abandon-rate")
        return {"data": compute.abandon_rate(conn, req)}


@app.get(
    f"{BASE}/filters",
    summary="filters",
    responses={
        200: {
            "description": "The tenant's campaigns, teams and agents (read live) and the accepted timezones.",
            "content": {"application/json": {"model": schemas.FiltersResponse}},
        },
        401: ERROR_RESPONSES[401],
        503: ERROR_RESPONSES[503],
    },
    tags=["filters"],
)
def filters() -> dict:
    """What a client's filter controls offer (REPORTS.md section 6.5). Any parameter is ignored; no export."""
    tenant = _tenant()
    with db.read_only() as conn:
        logger.append_keys(tenant_id=tenant, report="filters")
        return {"data": filter_options(conn, tenant, known_timezones(conn).values())}


@app.get(f"{BASE}/openapi.json", include_in_schema=False)
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=openapi_json())


def openapi_json() -> str:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return app.get_openapi_json_schema(
        title="Telesales reports API",
        version="1.0.0",
        description="Nine telesales reports (REPORTS.md). Every route needs a JWT with an integer tenant_id claim.",
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT", description="API Gateway JWT authorizer")},
        security=[{"bearerAuth": []}],
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
