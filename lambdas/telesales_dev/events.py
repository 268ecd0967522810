"""API Gateway HTTP API (payload v2) events and a Lambda context, as AWS hands them to the handler.

The one event builder and the one fake context of the project: the local API, the benchmark and the
tests all invoke the real Lambda handler through these.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode


def query_string(pairs: Sequence[tuple[str, str]]) -> str:
    """`rawQueryString` of the pairs, in order, repeated keys kept."""
    return urlencode(list(pairs))


def http_api_event(
    method: str,
    path: str,
    raw_query: str = "",
    *,
    claims: dict | None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
) -> dict:
    """An HTTP API payload v2 event. `claims` are what the JWT authorizer passes (strings), None when
    the route is public; repeated query keys are joined with commas in `queryStringParameters`, as
    API Gateway does. The Authorization header never reaches the handler."""
    joined: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    safe_headers = {k.lower(): v for k, v in (headers or {"host": "localhost"}).items() if k.lower() != "authorization"}
    context: dict = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": safe_headers.get("host", "localhost"),
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": safe_headers.get("user-agent", ""),
        },
        "requestId": request_id or str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
        "timeEpoch": int(time.time() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": safe_headers,
        "queryStringParameters": joined or None,
        "requestContext": context,
        "isBase64Encoded": False,
    }


def tenant_claims(tenant, subject: str = "local-user") -> dict | None:
    """The claims API Gateway passes for a token with this `tenant_id` (None: no authorizer context)."""
    return None if tenant is None else {"tenant_id": str(tenant), "sub": subject}


class LambdaContext:
    """The parts of the Lambda context object the handler and Powertools read."""

    function_name = "telesales-reports"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:telesales-reports"

    def __init__(self, request_id: str | None = None) -> None:
        self.aws_request_id = request_id or str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29000
