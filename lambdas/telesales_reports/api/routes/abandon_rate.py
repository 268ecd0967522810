"""`GET /api/telesales/reports/abandon-rate`: the live abandon rate of a campaign and its recorded breaches."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ...db import connection
from ...reports.registry import REPORTS
from ..observability import annotate
from ..params import parse_request, tenant_from_event
from ..routing import BASE, get

router = Router()


def _doc() -> dict:
    from ..parameters import ERROR_RESPONSES, abandon_query

    return {
        "summary": "abandon-rate",
        "operation_id": "getAbandonRate",
        "description": "The campaign's abandoned share of calls answered by a person over the last "
        "`window_minutes` (default 30 days), computed live from the replicated calls against its limit (FTC TSR "
        "safe harbour: 3 % unless the campaign sets another), and up to 100 recorded 5-minute snapshots that "
        "breached it.",
        "responses": {
            200: {
                "description": "Live abandon rate and recorded breaches.",
                "content": {"application/json": {"model": REPORTS["abandon-rate"].response_model}},
            },
            **ERROR_RESPONSES,
        },
        "tags": ["reports"],
        "query": abandon_query,
    }


@get(router, f"{BASE}/abandon-rate", _doc)
def abandon_rate() -> dict:
    event = router.current_event.raw_event
    tenant_id = tenant_from_event(event)
    with connection.read_only(tenant_id) as conn:
        req = parse_request(event, conn, dated=False, abandon=True, allow_files=False)
        annotate(req.tenant_id, "abandon-rate")
        return {"data": REPORTS["abandon-rate"].compute(conn, req)}
