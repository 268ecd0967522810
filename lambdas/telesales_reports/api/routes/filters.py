"""`GET /api/telesales/reports/filters`: what a client's filter controls offer (docs/api-reference.md §6.5)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ...db import connection, lookups
from ...reports.filters import filter_options
from ..observability import annotate
from ..params import tenant_from_event
from ..routing import BASE, get

router = Router()


def _doc() -> dict:
    from ...reports.schemas import FiltersResponse
    from ..parameters import ERROR_RESPONSES

    return {
        "summary": "filters",
        "operation_id": "getFilters",
        "description": "What a client's filter controls can offer: the tenant's campaigns, teams and agents as "
        "they stand now (read live, ordered by name then id) and every timezone name the API accepts, sorted.",
        "responses": {
            200: {
                "description": "The tenant's campaigns, teams and agents (read live) and the accepted timezones.",
                "content": {"application/json": {"model": FiltersResponse}},
            },
            401: ERROR_RESPONSES[401],
            503: ERROR_RESPONSES[503],
        },
        "tags": ["filters"],
    }


@get(router, f"{BASE}/filters", _doc)
def filters() -> dict:
    """What a client's filter controls offer (docs/api-reference.md §6.5). Any parameter is ignored; no export."""
    tenant = tenant_from_event(router.current_event.raw_event)
    with connection.read_only(tenant) as conn:
        annotate(tenant, "filters")
        return {"data": filter_options(conn, tenant, lookups.known_timezones(conn).values())}
