"""What the OpenAPI document says about the routes: parameter types, error responses, file content.
Imported only when the document is built (api/routing.py): it needs pydantic.

Powertools' own validation is off: the 422 rules of docs/api-reference.md §1 (all fields at once, `agent_ids.N` keys,
tenant-scoped ids) are enforced by params.parse_request on the raw query string. The routes take
no arguments; `documented_by` gives each one the signature of a function that documents its query.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from ..limits import MAX_RANGE_DAYS, WINDOW_MINUTES_DEFAULT, WINDOW_MINUTES_MAX, WINDOW_MINUTES_MIN
from ..reports.compare import COMPARES
from ..reports.registry import EXPORTABLE
from ..reports.schemas import AbandonResponse
from ..settings import default
from .routing import BASE
from .schemas import MessageBody, ValidationErrorBody

__all__ = ["BASE", "ERROR_RESPONSES", "FILE_CONTENT", "documented_by", "report_responses"]  # and the queries

ERROR_RESPONSES = {
    401: {"description": "No tenant claim.", "content": {"application/json": {"model": MessageBody}}},
    422: {
        "description": "The given data was invalid.",
        "content": {"application/json": {"model": ValidationErrorBody}},
    },
    503: {
        "description": "Database unreachable or timed out.",
        "content": {"application/json": {"model": MessageBody}},
    },
}
FILE_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}
MAX_AGENT_IDS = default("max_agent_ids")

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
        f"At most {MAX_RANGE_DAYS} days after date_from.",
        examples=["2026-06-10"],
    ),
]
CampaignId = Annotated[int | None, Query(description="Campaign of the caller's tenant.")]
TeamId = Annotated[int | None, Query(description="Team of the caller's tenant.")]
AgentIds = Annotated[
    list[int] | None,
    Query(alias="agent_ids[]", description=f"Agents of the caller's tenant (repeat the key). At most {MAX_AGENT_IDS}."),
]
Timezone = Annotated[str, Query(description="TZDB name used to bucket days and hours.")]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="Response format.")]
FileFormat = Annotated[Literal["csv", "xlsx"], Query(description="File format.")]
GroupBy = Annotated[Literal["day", "week", "hour"], Query(description="Time-series bucket.")]
Compare = Annotated[
    Literal[COMPARES] | None,
    Query(
        description="Also compute the report over an earlier window: the same length just before "
        "(previous_period) or 364 days earlier (previous_year); the body then carries `previous` and "
        "`previous_window`. Exports validate it and ignore it.",
    ),
]
ExportableReport = Literal[EXPORTABLE]  # the eight reports; abandon-rate has no export
AbandonCampaignId = Annotated[int, Query(description="Campaign of the caller's tenant (required).")]
WindowMinutes = Annotated[
    int,
    Query(ge=WINDOW_MINUTES_MIN, le=WINDOW_MINUTES_MAX, description="Measurement window, minutes."),
]


def report_responses(model) -> dict:
    """The responses of a report route: its model (or a file with format=csv|xlsx) and the errors."""
    return {
        200: {
            "description": "The report (or a file with format=csv|xlsx).",
            "content": {"application/json": {"model": model}, **FILE_CONTENT},
        },
        **ERROR_RESPONSES,
    }


def documented_by(signature_of, returns=None):
    """Give a route the signature of `signature_of` (returning `returns` when given) for the OpenAPI
    document only; the route's own docstring stays its description."""

    def decorate(route):
        signature = inspect.signature(signature_of, eval_str=True)
        if returns is not None:
            signature = signature.replace(return_annotation=returns)
        route.__signature__ = signature
        route.__doc__ = route.__doc__ or signature_of.__doc__
        return route

    return decorate


def report_query(
    *,
    date_from: DateFrom,
    date_to: DateTo,
    campaign_id: CampaignId = None,
    team_id: TeamId = None,
    agent_ids: AgentIds = None,
    timezone: Timezone = "UTC",
    format: Format = "json",  # noqa: A002
    compare: Compare = None,
):
    """The query of every dated report."""


def time_series_query(
    *,
    date_from: DateFrom,
    date_to: DateTo,
    campaign_id: CampaignId = None,
    team_id: TeamId = None,
    agent_ids: AgentIds = None,
    timezone: Timezone = "UTC",
    format: Format = "json",  # noqa: A002
    compare: Compare = None,
    group_by: GroupBy = "day",
):
    """The query of time-series: the dated reports' plus group_by."""


def export_query(
    report: Annotated[ExportableReport, Path(description="Report to export.")],
    date_from: DateFrom,
    date_to: DateTo,
    format: FileFormat,  # noqa: A002
    campaign_id: CampaignId = None,
    team_id: TeamId = None,
    agent_ids: AgentIds = None,
    timezone: Timezone = "UTC",
    group_by: Annotated[Literal["day", "week", "hour"], Query(description="time-series only.")] = "day",
    compare: Compare = None,
):
    """Any report but abandon-rate as a CSV or XLSX file (docs/api-reference.md §5)."""


def abandon_query(
    campaign_id: AbandonCampaignId,
    window_minutes: WindowMinutes = WINDOW_MINUTES_DEFAULT,
) -> AbandonResponse:
    """Realtime abandon rate of a campaign (FTC TSR / PDPL gate), computed live from raw calls."""
