"""Every answer fits the Lambda response limit (6 MB, envelope included): DECISIONLOG 53.

A JSON answer is gzip-compressed when the client accepts gzip (`Accept-Encoding`; browsers and
HTTP libraries send it). A JSON answer that would still exceed the limit is replaced by the
contract's 422 on `format`: the CSV and XLSX exports carry any size (over 6 MB through S3).
Without this guard API Gateway would answer 502 with a body outside the contract.
"""

from __future__ import annotations

import base64
import gzip
import json

from ..limits import LAMBDA_RESPONSE_LIMIT
from .errors import BODIES, INVALID_MESSAGE

# Smaller bodies gain nothing from compression.
COMPRESS_MIN_BYTES = 1024
TOO_LARGE_MESSAGE = (
    "The report is too large for a JSON response; request it with format=csv or format=xlsx, or narrow the filters."
)


def accepts_gzip(headers: dict | None) -> bool:
    """True when `Accept-Encoding` lists gzip (or `*`) without `q=0`."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "accept-encoding"), "") or ""
    for item in value.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        quality = params.strip().lower().removeprefix("q=")
        try:
            if params and float(quality) == 0:
                continue
        except ValueError:
            continue
        return True
    return False


def _header(response: dict, name: str) -> str:
    return next((str(v) for k, v in (response.get("headers") or {}).items() if k.lower() == name.lower()), "")


def _size(response: dict) -> int:
    return len(json.dumps(response, ensure_ascii=False).encode("utf-8"))


def _fits(response: dict) -> bool:
    """The response, serialized as the Lambda runtime does, is within the limit. JSON writes no
    character of a string in more than 6 bytes (`\\u001f`), so a body whose 6-byte bound fits needs no
    second serialization (about 1 ms for a 170 kB report); only one near the limit is measured."""
    body = response.get("body")
    if isinstance(body, str) and _size({**response, "body": ""}) + 6 * len(body) <= LAMBDA_RESPONSE_LIMIT:
        return True
    return _size(response) <= LAMBDA_RESPONSE_LIMIT


def fit(event: dict, response: dict) -> dict:
    """The Lambda response, compressed for a client that accepts gzip and never over the limit."""
    is_json = _header(response, "Content-Type").startswith("application/json")
    body = response.get("body") or ""
    if is_json and not response.get("isBase64Encoded") and len(body) >= COMPRESS_MIN_BYTES:
        headers = dict(response.get("headers") or {})
        headers["Vary"] = "Accept-Encoding"
        if accepts_gzip(event.get("headers")):
            compressed = gzip.compress(body.encode("utf-8"), compresslevel=6)
            body = base64.b64encode(compressed).decode("ascii")
            headers["Content-Encoding"] = "gzip"
            response = {**response, "body": body, "isBase64Encoded": True}
        response = {**response, "headers": headers}
    if _fits(response):
        return response
    if is_json and response.get("statusCode") == 200:
        payload = {"message": INVALID_MESSAGE, "errors": {"format": [TOO_LARGE_MESSAGE]}}
        status = 422
    else:  # files over the limit go to S3 (exports/storage.py): this is a fault, not a request error
        payload, status = BODIES[503], 503
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
        "isBase64Encoded": False,
    }
