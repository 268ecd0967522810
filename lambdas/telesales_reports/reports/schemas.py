"""Each report's response as a pydantic model: the contract's fields in JSON order. They drive the
OpenAPI document's response schemas and the export files' columns (`layout`).

Every field's kind says what the JSON carries, so that the file writers know which cells are numbers:
int and float fields are numbers; a `DecimalString` ("64.07", "57563") is a numeric cell in XLSX and
text as-is in CSV; a `UtcDateTimeString` ("2026-06-09T02:31:14Z") is a date-time cell in XLSX.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from .kinds import DATETIME, DECIMAL, INT, NUMBER, TEXT, FieldLayout


@dataclass(frozen=True)
class Kind:
    """Marks a string field whose text is a number or a date-time (pydantic ignores it)."""

    name: str


class Schema(BaseModel):
    """A response model: it describes the JSON (OpenAPI, export layouts) and never validates a response,
    so pydantic builds its validator only if asked (defer_build; DECISIONLOG 102)."""

    model_config = ConfigDict(defer_build=True)


DecimalString = Annotated[str, Kind(DECIMAL)]
UtcDateTimeString = Annotated[str, Kind(DATETIME)]


class PreviousWindow(Schema):
    date_from: str = Field(description="Comparison window start, ISO 8601 UTC.", examples=["2026-05-22T00:00:00Z"])
    date_to: str = Field(
        description="Comparison window end (exclusive), ISO 8601 UTC.", examples=["2026-06-01T00:00:00Z"]
    )


def report_response(name: str, data_type: Any) -> type[BaseModel]:
    """`{"data": ...}`, and with `compare` also `previous` (the same shape) and `previous_window`."""
    return create_model(
        name,
        __base__=Schema,
        data=(data_type, ...),
        previous=(
            data_type | None,
            Field(None, description="With compare only: the same report over previous_window."),
        ),
        previous_window=(PreviousWindow | None, Field(None, description="With compare only.")),
    )


class Dashboard(Schema):
    total_dials: int = Field(ge=0)
    total_answers: int = Field(ge=0)
    answer_rate_pct: DecimalString = Field(description="Decimal string, 2 dp: answers / dials x 100.")
    avg_talk_time_sec: DecimalString = Field(description="Decimal string, 1 dp: talk seconds / answers.")
    total_talk_time_sec: DecimalString = Field(description="Integer string: talk seconds of the dials.")
    unique_agents: int = Field(ge=0)
    pdpl_blocked_count: int = Field(ge=0)
    total_conversions: int = Field(ge=0)
    conversion_rate_pct: DecimalString = Field(description="Decimal string, 2 dp: conversions / answers x 100.")
    avg_aht_sec: int = Field(ge=0, description="Handle seconds / answers, rounded half away from zero.")


DashboardResponse = report_response("DashboardResponse", Dashboard)


class DispositionItem(Schema):
    code: str
    label: str
    category: Literal["contact", "no_contact", "callback", "remove"] | None
    color: str = Field(description="#RRGGBB")
    count: int = Field(ge=0)
    pct: DecimalString = Field(description="Decimal string, 2 dp: count / sum of counts x 100.")


DispositionResponse = report_response("DispositionResponse", list[DispositionItem])


class AgentItem(Schema):
    agent_id: int
    name: str
    username: str
    dials: int = Field(ge=0)
    answers: int = Field(ge=0)
    avg_aht_sec: int = Field(ge=0)
    conversions: int = Field(ge=0)
    conv_rate: float = Field(ge=0, le=100, description="conversions / answers x 100, 2 dp (a number).")


AgentResponse = report_response("AgentResponse", list[AgentItem])


class FunnelItem(Schema):
    stage: Literal["Total leads", "Dialed", "Connected", "Talked > 30s", "Disposed", "Converted"]
    count: int = Field(ge=0)


FunnelResponse = report_response("FunnelResponse", list[FunnelItem])


class CallerIdItem(Schema):
    cid: str
    display_name: str | None
    carrier: str
    cli_type: str
    pool_status: str
    cooldown_until: UtcDateTimeString | None = Field(description="ISO 8601 UTC, e.g. 2026-06-09T02:31:14Z")
    daily_cap: int
    total_calls: int = Field(ge=0)
    answered_calls: int = Field(ge=0)
    asr_pct: float = Field(ge=0, le=100)
    acd_sec: int = Field(ge=0)
    short_calls: int = Field(ge=0)
    short_call_ratio_pct: float = Field(ge=0, le=100)
    rejected_calls: int = Field(ge=0)
    health_status: Literal["healthy", "warning", "suspected_block", "no_data"]
    health_calls_today: int = Field(ge=0)


CallerIdResponse = report_response("CallerIdResponse", list[CallerIdItem])


class HeatmapItem(Schema):
    day_of_week: int = Field(ge=0, le=6, description="0 = Sunday ... 6 = Saturday")
    hour: int = Field(ge=0, le=23)
    dials: int = Field(ge=0)
    answered: int = Field(ge=0)
    answer_rate_pct: float = Field(ge=0, le=100)


HeatmapResponse = report_response(
    "HeatmapResponse", Annotated[list[HeatmapItem], Field(min_length=168, max_length=168)]
)


class LeadSourceItem(Schema):
    source: str
    total_leads: int = Field(ge=0)
    dialed_count: int = Field(ge=0)
    contacted_count: int = Field(ge=0)
    conv_count: int = Field(ge=0)
    conv_rate_pct: DecimalString


LeadSourceResponse = report_response("LeadSourceResponse", list[LeadSourceItem])


class TimeSeriesItem(Schema):
    bucket: str = Field(description="YYYY-MM-DD (day), YYYY-Www (ISO week), YYYY-MM-DD HH:00:00 (hour)")
    dials: int = Field(ge=0)
    answers: int = Field(ge=0)
    talk_sec: int = Field(ge=0)
    conversions: int = Field(ge=0)


TimeSeriesResponse = report_response("TimeSeriesResponse", list[TimeSeriesItem])


class AttemptItem(Schema):
    attempt: str = Field(description='Attempt number of the dial among its lead\'s dials: "1" ... "9", "10+".')
    dials: int = Field(ge=0)
    answers: int = Field(ge=0)
    answer_rate_pct: DecimalString = Field(description="Decimal string, 2 dp: answers / dials x 100.")
    conversions: int = Field(ge=0)
    conversion_rate_pct: DecimalString = Field(description="Decimal string, 2 dp: conversions / dials x 100.")
    avg_talk_time_sec: DecimalString = Field(description="Decimal string, 1 dp: talk seconds / answers.")


AttemptsResponse = report_response("AttemptsResponse", list[AttemptItem])


class CarrierItem(Schema):
    carrier: str
    caller_ids: int = Field(ge=0, description="Pool numbers with this carrier.")
    total_calls: int = Field(ge=0)
    answered_calls: int = Field(ge=0)
    asr_pct: float = Field(ge=0, le=100, description="answered / total x 100, 1 dp.")
    acd_sec: int = Field(ge=0, description="Talk seconds / answered, rounded half away from zero.")
    short_call_ratio_pct: float = Field(ge=0, le=100, description="short / total x 100, 1 dp.")
    rejected_ratio_pct: float = Field(ge=0, le=100, description="rejected / total x 100, 1 dp.")
    healthy: int = Field(ge=0, description="This carrier's caller IDs in caller-id-health status healthy.")
    warning: int = Field(ge=0)
    suspected_block: int = Field(ge=0)
    no_data: int = Field(ge=0)


CarrierHealthResponse = report_response("CarrierHealthResponse", list[CarrierItem])


class AbandonCurrent(Schema):
    campaign_id: int
    attempts_total: int = Field(ge=0)
    attempts_abandoned: int = Field(ge=0)
    abandon_rate_pct: float = Field(ge=0, le=100)
    window_minutes: int = Field(ge=1)
    window_from: str
    window_to: str
    tenant_id: int
    campaign_name: str
    campaign_status: str
    limit_pct: float
    breached: bool


class AbandonBreach(Schema):
    snapshot_at: str
    window_from: str
    window_to: str
    attempts_total: int
    attempts_abandoned: int
    abandon_rate_pct: float
    limit_pct: float


class AbandonData(Schema):
    current: AbandonCurrent
    breaches: list[AbandonBreach]


class AbandonResponse(Schema):
    data: AbandonData


class FilterCampaign(Schema):
    id: int
    name: str
    status: str = Field(description="draft / active / paused / completed")


class FilterTeam(Schema):
    id: int
    name: str


class FilterAgent(Schema):
    id: int
    name: str
    username: str
    team_id: int | None = Field(description="The user's current team; null = no team.")


class FilterOptions(Schema):
    campaigns: list[FilterCampaign] = Field(description="The tenant's campaigns, by name then id (code point order).")
    teams: list[FilterTeam] = Field(description="The tenant's teams, by name then id (code point order).")
    agents: list[FilterAgent] = Field(description="The tenant's users, by name then id (code point order).")
    timezones: list[str] = Field(description="Every timezone name the API accepts, sorted.")


class FiltersResponse(Schema):
    data: FilterOptions


def _kind(annotation) -> str:
    """The cell kind of one field's annotation (`X | None` as X)."""
    if get_origin(annotation) is Annotated:
        marks = [m for m in annotation.__metadata__ if isinstance(m, Kind)]
        return marks[0].name if marks else _kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return _kind(inner[0])
    if annotation is bool:
        return TEXT
    if annotation is int:
        return INT
    if annotation is float:
        return NUMBER
    return TEXT  # str, Literal[...] of strings


def layout(response_model: type[BaseModel]) -> FieldLayout:
    """(field, kind) of a report's items, in JSON order: the generic export layout."""
    data = response_model.model_fields["data"].annotation
    item = get_args(data)[0] if get_origin(data) is list else data
    hints = typing.get_type_hints(item, include_extras=True)
    return tuple((name, _kind(hints[name])) for name in item.model_fields)
