"""`GET /api/telesales/reports/<report>/export`: any report but abandon-rate as a CSV or XLSX file."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...db import connection
from ...reports.registry import REPORTS
from ..errors import NotFound
from ..params import parse_request, tenant_from_event
from ..respond import run_report
from ..routing import BASE, get

router = Router()


def _doc() -> dict:
    from ..parameters import ERROR_RESPONSES, FILE_CONTENT, export_query
    from ..schemas import MessageBody

    return {
        "summary": "export",
        "operation_id": "exportReport",
        "description": "Any report but abandon-rate as a CSV or XLSX file (`Content-Disposition: attachment`), "
        "with the report's own parameters and the tenant's Excel template if it has one. A file too large for a "
        "Lambda response (over 6 MB) is stored for 15 minutes and answered with a 302 to a presigned download URL.",
        "responses": {
            200: {"description": "The report as a file.", "content": FILE_CONTENT},
            **ERROR_RESPONSES,
            404: {"description": "Unknown report.", "content": {"application/json": {"model": MessageBody}}},
        },
        "tags": ["exports"],
        "query": export_query,
    }


@get(router, f"{BASE}/<report>/export", _doc)
def export(report: str) -> Response:
    event = router.current_event.raw_event
    tenant_id = tenant_from_event(event)
    if report not in REPORTS:
        raise NotFound
    spec = REPORTS[report]
    # docs/api-reference.md §5: abandon-rate has no file and answers 422 on `format`, with its own fields'
    # errors (no format is valid for it here)
    kwargs = (
        {"with_group_by": spec.grouped} if spec.exportable else {"dated": False, "abandon": True, "allow_files": False}
    )
    with connection.read_only(tenant_id) as conn:
        req = parse_request(event, conn, require_file=True, **kwargs)
    return run_report(report, event, req)
