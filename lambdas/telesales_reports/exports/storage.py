"""Exports too large for a Lambda response go to S3, and the caller gets a presigned GET URL.

A Lambda (API Gateway proxy) response is at most 6 MB, envelope included, and the body goes base64
(4 characters per 3 bytes): files above `MAX_INLINE_BYTES` are written to `TELESALES_EXPORT_BUCKET`
under `exports/{tenant_id}/{uuid}/{filename}`; the URL (15 minutes) carries the same attachment file
name. No bucket configured, or S3 failing, raises `StorageUnavailable` (the API answers 503).
boto3 is imported only here, only when a file is this large.
"""

from __future__ import annotations

import uuid

from aws_lambda_powertools import Logger

from ..limits import LAMBDA_RESPONSE_LIMIT
from ..settings import get_settings
from .errors import StorageUnavailable
from .render import RenderedFile

logger = Logger(service="telesales-reports", child=True)

ENVELOPE_MARGIN = 16_384  # the status, headers and JSON envelope
MAX_INLINE_BYTES = (LAMBDA_RESPONSE_LIMIT - ENVELOPE_MARGIN) // 4 * 3  # 4,706,304 raw bytes
PRESIGNED_URL_SECONDS = 15 * 60


def too_large_to_inline(file: RenderedFile) -> bool:
    return len(file.body) > MAX_INLINE_BYTES


def store(tenant_id: int, file: RenderedFile) -> str:
    """Put the file into the export bucket; return a presigned URL that downloads it under its name."""
    bucket = get_settings().export_bucket
    if not bucket:
        logger.warning(
            "export too large for a Lambda response and TELESALES_EXPORT_BUCKET is not set",
            extra={"bytes": len(file.body), "limit": MAX_INLINE_BYTES},
        )
        raise StorageUnavailable("no export bucket configured")
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    key = f"exports/{tenant_id}/{uuid.uuid4()}/{file.filename}"
    try:
        s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
        s3.put_object(
            Bucket=bucket, Key=key, Body=file.body, ContentType=file.content_type, ContentDisposition=file.disposition
        )
        url = s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": key,
                "ResponseContentDisposition": file.disposition,
                "ResponseContentType": file.content_type,
            },
            ExpiresIn=PRESIGNED_URL_SECONDS,
        )
    except (BotoCoreError, ClientError) as exc:
        logger.warning("large export could not be stored in S3", extra={"bucket": bucket, "error": repr(exc)})
        raise StorageUnavailable("S3 failed") from exc
    logger.info("large export stored in S3", extra={"bucket": bucket, "key": key, "bytes": len(file.body)})
    return url
