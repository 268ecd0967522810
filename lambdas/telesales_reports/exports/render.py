"""Render a report's JSON `data` as a CSV or XLSX file response (REPORTS.md section 5).

One path for all eight reports: the rows are the JSON items (dashboard: its one object), the columns
the generic layout (JSON field names in JSON order) or the tenant's template (templates.py).

Responses:
- 200 with the file: `Content-Type` from the seed (`text/csv; charset=utf-8`, or the XLSX type) and
  `Content-Disposition: attachment; filename="telesales-{report}-{YYYYMMDD}-{YYYYMMDD}.{ext}"`. The body
  is bytes, so Powertools sends it base64-encoded (`isBase64Encoded: true`) and API Gateway decodes it.
- 302 to a presigned S3 GET URL (15 minutes) when the file is too large for a Lambda response
  (6 MB including base64 and headers; `MAX_INLINE_BYTES` of raw file). The object is written to
  `TELESALES_EXPORT_BUCKET` under `exports/{tenant_id}/{uuid}/{filename}`; the URL carries the same
  attachment file name. No export bucket configured (or S3 failing): 503 `Service Unavailable.`, logged.
- A broken template (`TemplateError`): 500 `{"message": "Server Error."}`. Choice: the caller (a
  supervisor) cannot fix a template, operations can; so the response is the contract's opaque 500 and
  the log line names the tenant and every bad key. A template store that cannot be read
  (`TemplateUnavailable`) is a dependency fault: 503, logged. The handler module is not involved:
  both are caught here, so neither reaches the generic exception handler with a trace.

Cold start: this module imports neither openpyxl (only inside the XLSX branch) nor boto3 (only on
the S3 branch and the S3 template store).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from ..api.errors import BODIES
from ..settings import get_settings
from . import csv_writer
from .templates import TemplateError, TemplateUnavailable, layout_for, load_template

logger = Logger(service="telesales-reports", child=True)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A Lambda (API Gateway proxy) response is at most 6 MB, envelope included; the body goes base64
# (4 characters per 3 bytes). Keep a margin for the status, headers and JSON envelope.
LAMBDA_RESPONSE_LIMIT = 6_291_456
ENVELOPE_MARGIN = 16_384
MAX_INLINE_BYTES = (LAMBDA_RESPONSE_LIMIT - ENVELOPE_MARGIN) // 4 * 3  # 4,706,304 raw bytes
PRESIGNED_URL_SECONDS = 15 * 60


def _json_error(status: int) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(BODIES[status]))


def filename_for(report: str, req, fmt: str) -> str:
    date_from, date_to = req.file_dates
    return f"telesales-{report}-{date_from}-{date_to}.{fmt}"


def render_file(report: str, req, data: dict | Sequence[dict]) -> bytes:
    """The file's bytes (raises TemplateError for a broken template)."""
    rows = [data] if isinstance(data, dict) else list(data)
    layout = layout_for(report, load_template(req.tenant_id))
    if req.format == "csv":
        return csv_writer.render(layout, rows)
    if req.format == "xlsx":
        from . import xlsx_writer  # openpyxl only on this path

        return xlsx_writer.render(report, layout, rows)
    raise ValueError(f"not a file format: {req.format!r}")


def export_response(report: str, req, data: dict | Sequence[dict]) -> Response:
    """The report as a file response (or a redirect to S3 for a large one); see the module docstring."""
    try:
        body = render_file(report, req, data)
    except TemplateUnavailable as exc:
        logger.warning("export template store unreadable", extra={"tenant_id": exc.tenant_id, "reason": str(exc)})
        return _json_error(503)
    except TemplateError as exc:
        logger.error(
            "export template invalid",
            extra={"tenant_id": exc.tenant_id, "template_keys": exc.keys, "reason": str(exc)},
        )
        return _json_error(500)

    filename = filename_for(report, req, req.format)
    disposition = f'attachment; filename="{filename}"'
    content_type = CONTENT_TYPES[req.format]
    if len(body) > MAX_INLINE_BYTES:
        return _via_s3(req.tenant_id, filename, disposition, content_type, body)
    return Response(
        status_code=200,
        content_type=content_type,
        body=body,  # bytes: Powertools base64-encodes and sets isBase64Encoded
        headers={"Content-Disposition": disposition},
        compress=False,
    )


def _via_s3(tenant_id: int, filename: str, disposition: str, content_type: str, body: bytes) -> Response:
    bucket = get_settings().export_bucket
    if not bucket:
        logger.warning(
            "export too large for a Lambda response and TELESALES_EXPORT_BUCKET is not set",
            extra={"bytes": len(body), "limit": MAX_INLINE_BYTES},
        )
        return _json_error(503)
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    key = f"exports/{tenant_id}/{uuid.uuid4()}/{filename}"
    try:
        s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, ContentDisposition=disposition)
        url = s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": key,
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=PRESIGNED_URL_SECONDS,
        )
    except (BotoCoreError, ClientError) as exc:
        logger.warning("large export could not be stored in S3", extra={"bucket": bucket, "error": repr(exc)})
        return _json_error(503)
    logger.info("large export stored in S3", extra={"bucket": bucket, "key": key, "bytes": len(body)})
    return Response(
        status_code=302,
        content_type=None,
        body="",
        headers={"Location": url, "Cache-Control": "no-store"},
        compress=False,
    )
