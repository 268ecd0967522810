"""`GET /api/telesales/reports/abandon-rate`: the live abandon rate of a campaign and its recorded breaches."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ...db import connection
from ...reports.registry import REPORTS
from ...reports.schemas import AbandonResponse
from ..observability import logger
from ..parameters import BASE, ERROR_RESPONSES, abandon_query, documented_by
from ..params import parse_request, tenant_from_event

router = Router()


@router.get(
    f"{BASE}/abandon-rate",
    summary="abandon-rate",
    responses={
        200: {
            "description": "Live abandon rate and recorded breaches.",
            "content": {"application/json": {"model": AbandonResponse}},
        },
        **ERROR_RESPONSES,
    },
    tags=["reports"],
)
@documented_by(abandon_query)
def abandon_rate() -> dict:
    event = router.current_event.raw_event
    tenant_from_event(event)
    with connection.read_only() as conn:
        req = parse_request(event, conn, dated=False, abandon=True, allow_files=False)
        logger.append_keys(tenant_id=req.tenant_id, report="abandon-rate")
        return {"data": REPORTS["abandon-rate"].compute(conn, req)}
