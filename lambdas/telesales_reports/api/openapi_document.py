"""The finishing pass over the OpenAPI document Powertools generates from the routes.

Routes declare their operationId, description, parameters and response models. This pass adds what
is the same for every operation, in one place: every status a client can see (the gateway's own
401, 429, 500 and 503 included, 302 where a file may be redirected), an example body for each of them
(api/examples.py), the `X-Warehouse-Built-At` header, the tenant claim in the security scheme; and it
drops component schemas no operation uses (Powertools' validation models). The rules are enforced by
tests/unit/test_openapi_rules.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .build_time import HEADER as BUILT_AT
from .examples import ERRORS, SUCCESS, csv_example

MESSAGE = {"$ref": "#/components/schemas/MessageBody"}
INVALID = {"$ref": "#/components/schemas/ValidationErrorBody"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DESCRIPTION = """Telesales call-centre reports over the dbt warehouse: eleven reports as JSON (all but abandon-rate also as CSV or
XLSX), each limited to the caller's tenant.

**Authentication.** Every operation needs `Authorization: Bearer <JWT>`, verified by the API Gateway JWT
authorizer (issuer and audience). The token must carry an integer `tenant_id` claim; every number in a
response comes from that tenant's rows only. A missing, expired or unverifiable token is answered by the
gateway itself, `401 {"message": "Unauthorized"}` (an HTTP API cannot change that body); a verified
token without a usable `tenant_id` gets the application's `401 {"message": "Unauthenticated."}`. Both are
401: branch on the status, not the body.

**Freshness.** Reports read marts rebuilt every 15 minutes; `X-Warehouse-Built-At` on every answer is
the end of the last successful build (abandon-rate and `health_calls_today` are computed live).

**Errors** have the contract's shape: 422 lists every failing field at once; 500 and 503 never carry
details. The gateway adds 429 when throttled and its own 500/503 bodies when the function fails or
takes longer than 30 s. Every rule of the API in prose: docs/api-reference.md in the repository."""

SECURITY_DESCRIPTION = (
    "A JWT verified by the API Gateway JWT authorizer (issuer and audience of the identity provider). "
    "It must carry the claim `tenant_id`: an integer (a JSON number or a decimal string) naming the "
    "caller's tenant; every response is limited to that tenant. Without a token or with one that does "
    "not verify: 401 from the gateway; without a usable tenant_id: 401 from the API."
)

STATUS_DESCRIPTIONS = {
    "302": "The file is larger than a Lambda response can carry: `Location` is a presigned S3 URL valid for "
    "15 minutes (the bucket allows cross-origin GET, so a browser can follow it). Only with format=csv|xlsx.",
    "401": "No valid credentials. The API Gateway JWT authorizer answers a missing, expired or unverifiable "
    'token itself with `{"message": "Unauthorized"}` (HTTP APIs cannot change that body); the API answers '
    '`{"message": "Unauthenticated."}` when a verified token has no integer `tenant_id` claim.',
    "404": "Unknown report (abandon-rate and filters have no export).",
    "422": "The given data was invalid: every failing field at once, list elements as `agent_ids.N`.",
    "429": "Throttled by API Gateway (the stage's rate and burst limits); retry with back-off.",
    "500": "An unexpected fault, logged (on exports also a broken per-tenant Excel template): the API's "
    "`Server Error.`, or the gateway's `Internal Server Error` when the function itself failed.",
    "503": "The database is unreachable or timed out (`Service Unavailable.`), or the function did not "
    "answer within the gateway's 30 s (`Service Unavailable`, from the gateway).",
}

BUILT_AT_HEADER = {
    "description": "End of the last successful warehouse build (dbt, every 15 minutes) that the marts behind "
    "this answer come from, RFC 3339 UTC; absent when no build has been recorded.",
    "schema": {"type": "string", "format": "date-time"},
    "example": "2026-06-10T08:15:42Z",
}


def _error(status: str) -> dict[str, Any]:
    schema = INVALID if status == "422" else MESSAGE
    return {
        "description": STATUS_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": schema, "examples": ERRORS[int(status)]}},
    }


def _finish_operation(path: str, operation: dict[str, Any]) -> None:
    operation_id = operation["operationId"]
    names = {p["name"] for p in operation.get("parameters", [])}
    responses = operation["responses"]
    ok = responses["200"]
    ok.setdefault("headers", {})[BUILT_AT] = BUILT_AT_HEADER
    content = ok.get("content", {})
    if "application/json" in content:
        if operation_id not in SUCCESS:
            raise KeyError(f"api/examples.py has no success example for {operation_id} ({path})")
        content["application/json"]["examples"] = {"example": {"value": SUCCESS[operation_id]}}
    if "text/csv" in content:
        content["text/csv"]["examples"] = {"agent-performance": {"value": csv_example()}}
    statuses = ["401", "429", "500", "503"]
    if names:
        statuses.append("422")
    if "{report}" in path:
        statuses.append("404")
    for status in statuses:
        responses[status] = _error(status)
    if "format" in names:
        responses["302"] = {
            "description": STATUS_DESCRIPTIONS["302"],
            "headers": {
                "Location": {
                    "description": "Presigned S3 URL of the file.",
                    "schema": {"type": "string", "format": "uri"},
                },
                BUILT_AT: BUILT_AT_HEADER,
            },
        }
    operation["responses"] = dict(sorted(responses.items()))


def _drop_unused_schemas(document: dict[str, Any]) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    reached: set[str] = set()
    pending = [json.dumps(document["paths"])]
    while pending:
        for name in re.findall(r"#/components/schemas/([\w.-]+)", pending.pop()):
            if name not in reached:
                reached.add(name)
                pending.append(json.dumps(schemas[name]))
    for name in set(schemas) - reached:
        del schemas[name]


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """Complete the generated document in place and return it."""
    document["info"]["description"] = DESCRIPTION
    for path, item in document["paths"].items():
        for operation in item.values():
            _finish_operation(path, operation)
    for scheme in document["components"]["securitySchemes"].values():
        scheme["description"] = SECURITY_DESCRIPTION
        scheme["x-tenant-claim"] = "tenant_id"
    _drop_unused_schemas(document)
    return document
