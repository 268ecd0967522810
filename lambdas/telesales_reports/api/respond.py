"""Run one report for a request and turn its value into a response (JSON, a file, or a redirect)."""

from __future__ import annotations

import time

from aws_lambda_powertools.event_handler import Response

from ..db import connection
from ..reports.compare import with_previous
from ..reports.registry import REPORTS
from ..reports.request import ReportRequest
from .observability import annotate, record_report, tracer
from .params import parse_request, tenant_from_event


@tracer.capture_method(capture_response=False)
def run_report(report: str, event: dict, req: ReportRequest | None = None) -> Response | dict:
    """Validate the request, compute the report in one read-only transaction, render JSON or a file."""
    tenant_id = tenant_from_event(event)
    started = time.perf_counter()
    with connection.read_only(tenant_id) as conn:
        if req is None:
            req = parse_request(event, conn, with_group_by=REPORTS[report].grouped)
        annotate(req.tenant_id, report)
        if req.format == "json" and req.compare:  # exports validate compare and ignore it (section 6.2)
            body = with_previous(REPORTS[report], conn, req)
            data = body["data"]
        else:
            data = REPORTS[report].compute(conn, req)
            body = {"data": data}
    record_report(report, started, data)
    if req.format == "json":
        return body
    return file_response(report, req, data)


def file_response(report: str, req: ReportRequest, data) -> Response:
    """200 with the file (bytes: Powertools base64-encodes them and sets isBase64Encoded), or 302 to a
    presigned S3 URL when the file is too large for a Lambda response (exports/storage.py)."""
    from ..exports import storage
    from ..exports.render import render_file

    file = render_file(report, req, data)
    if storage.too_large_to_inline(file):
        return Response(
            status_code=302,
            content_type=None,
            body="",
            headers={"Location": storage.store(req.tenant_id, file), "Cache-Control": "no-store"},
            compress=False,
        )
    return Response(
        status_code=200,
        content_type=file.content_type,
        body=file.body,
        headers={"Content-Disposition": file.disposition},
        compress=False,
    )
