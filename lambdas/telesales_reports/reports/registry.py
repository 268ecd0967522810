"""The one list of reports: name (the route's last path segment), compute function, response model,
whether it exports to CSV/XLSX, and its export layout (derived from the response model's fields).

Routes, the OpenAPI document, exports and the benchmark all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from . import attempts, carrier_health, compute
from .kinds import FieldLayout
from .request import ReportRequest


@dataclass(frozen=True)
class Report:
    name: str
    compute: Callable[[psycopg.Connection, ReportRequest], Any]
    # The pydantic model of the response, by its name in reports/schemas.py: imported when the OpenAPI
    # document or an export layout asks for it, never to answer JSON (DECISIONLOG 102).
    response_model_name: str
    exportable: bool = True
    grouped: bool = False  # takes group_by (time-series)
    dated: bool = True  # takes the date_from..date_to window and the filters
    # compare (docs/api-reference.md §6.2): the report over the comparison window from the window's own
    # answer, when that saves work; else `compute` runs again
    previous: Callable[[psycopg.Connection, ReportRequest, Any], Any] | None = None
    # compare: the window's and the comparison window's answers at once, when one statement serves both
    with_previous: Callable[[psycopg.Connection, ReportRequest, ReportRequest], tuple[Any, Any]] | None = None

    @property
    def response_model(self) -> type:
        from . import schemas

        return getattr(schemas, self.response_model_name)

    @property
    def layout(self) -> FieldLayout:
        """The generic export layout: the items' JSON fields in JSON order, each with its cell kind."""
        from . import schemas

        return schemas.layout(self.response_model)


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("dashboard", compute.dashboard, "DashboardResponse"),
        Report("disposition-breakdown", compute.disposition_breakdown, "DispositionResponse"),
        Report("agent-performance", compute.agent_performance, "AgentResponse"),
        Report("funnel", compute.funnel, "FunnelResponse", with_previous=compute.funnel_with_previous),
        Report(
            "caller-id-health",
            compute.caller_id_health,
            "CallerIdResponse",
            previous=compute.caller_id_health_previous,
        ),
        Report("hour-dow-heatmap", compute.hour_dow_heatmap, "HeatmapResponse"),
        Report(
            "lead-source-attribution",
            compute.lead_source_attribution,
            "LeadSourceResponse",
            with_previous=compute.lead_source_attribution_with_previous,
        ),
        Report("time-series", compute.time_series, "TimeSeriesResponse", grouped=True),
        Report("attempts", attempts.attempts, "AttemptsResponse", with_previous=attempts.attempts_with_previous),
        Report("carrier-health", carrier_health.carrier_health, "CarrierHealthResponse"),
        Report("abandon-rate", compute.abandon_rate, "AbandonResponse", exportable=False, dated=False),
    )
}
EXPORTABLE: tuple[str, ...] = tuple(name for name, r in REPORTS.items() if r.exportable)
DATED: tuple[str, ...] = tuple(name for name, r in REPORTS.items() if r.dated)
