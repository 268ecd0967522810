"""Rules every operation of the OpenAPI document follows, so that a front-end developer can use it:
explicit operation ids, a description, an example for every body (valid against its own schema), every
status a client can see (the gateway's own included), the build time header, no unused schemas, the
tenant claim in the security scheme. A new route or report that skips one of them fails here.

And the interactive reference (Swagger UI) at /api/telesales/reports/docs works offline: every file it
loads is served by the API itself, and its Content-Security-Policy allows nothing else.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from telesales_dev.events import LambdaContext as Ctx
from telesales_reports.api.handler import lambda_handler, openapi_json
from tests.support import event

DOC = json.loads(openapi_json())
OPERATIONS = [(path, method, op) for path, item in DOC["paths"].items() for method, op in item.items()]
IDS = [op["operationId"] for _, _, op in OPERATIONS]
ALWAYS = {"200", "401", "429", "500", "503"}
BUILT_AT = "X-Warehouse-Built-At"


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    resource = Resource.from_contents({**DOC, "$schema": "https://json-schema.org/draft/2020-12/schema"})
    registry = Registry().with_resource("urn:openapi", resource)
    return Draft202012Validator(
        json.loads(json.dumps(schema).replace('"#/components', '"urn:openapi#/components')), registry=registry
    )


def test_operation_ids_are_explicit_and_unique() -> None:
    assert len(set(IDS)) == len(IDS)
    for operation_id in IDS:
        assert re.fullmatch(r"(get|export)[A-Z][A-Za-z]+", operation_id), operation_id


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=IDS)
def test_every_operation_is_described(path: str, method: str, op: dict[str, Any]) -> None:
    assert method == "get"
    assert len(op.get("description", "")) >= 80, f"{path}: say what it answers and from which data"
    assert op["description"] != op.get("summary")
    for parameter in op.get("parameters", []):
        assert parameter.get("description"), f"{path}: {parameter['name']}"


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=IDS)
def test_every_status_a_client_can_see_is_documented_with_an_example(path: str, method: str, op: dict) -> None:
    responses = op["responses"]
    expected = set(ALWAYS)
    if op.get("parameters"):
        expected.add("422")
    names = {p["name"] for p in op.get("parameters", [])}
    if "format" in names:
        expected.add("302")  # a file too large for a Lambda response: a presigned S3 URL
    if "{report}" in path:
        expected.add("404")
    assert expected <= set(responses), f"{path}: {sorted(expected - set(responses))}"
    for status, response in responses.items():
        assert response.get("description"), f"{path} {status}"
        for media, content in response.get("content", {}).items():
            if content.get("schema", {}).get("format") == "binary":
                continue  # an XLSX workbook: no meaningful inline example
            examples = content.get("examples")
            assert examples, f"{path} {status} {media}: no example"
            if media == "application/json":
                validator = _validator(content["schema"])
                for name, example in examples.items():
                    errors = [e.message for e in validator.iter_errors(example["value"])]
                    assert not errors, f"{path} {status} example {name}: {errors[:3]}"
    if "302" in responses:
        assert "Location" in responses["302"]["headers"]


def test_the_gateway_and_the_application_401_are_both_documented() -> None:
    for path, _, op in OPERATIONS:
        unauthorized = op["responses"]["401"]
        bodies = {e["value"]["message"] for e in unauthorized["content"]["application/json"]["examples"].values()}
        assert bodies == {"Unauthorized", "Unauthenticated."}, path
        assert "gateway" in unauthorized["description"].lower(), path


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=IDS)
def test_report_responses_carry_the_warehouse_build_time(path: str, method: str, op: dict) -> None:
    header = op["responses"]["200"]["headers"][BUILT_AT]
    assert header["schema"] == {"type": "string", "format": "date-time"}
    assert "build" in header["description"]


def test_no_unused_schemas() -> None:
    schemas = DOC["components"]["schemas"]
    reached: set[str] = set()
    pending = [json.dumps(DOC["paths"])]
    while pending:
        for name in re.findall(r"#/components/schemas/([\w.-]+)", pending.pop()):
            if name not in reached:
                reached.add(name)
                pending.append(json.dumps(schemas[name]))
    assert set(schemas) == reached, sorted(set(schemas) - reached)


def test_security_scheme_names_the_tenant_claim() -> None:
    (scheme,) = DOC["components"]["securitySchemes"].values()
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "tenant_id" in scheme["description"]
    assert scheme["x-tenant-claim"] == "tenant_id"
    assert DOC["security"] == [{"bearerAuth": []}]


# --- the interactive reference ---------------------------------------------------------------------

BASE = "/api/telesales/reports"


def _get(path: str) -> dict[str, Any]:
    # No token: the reference is public (the gateway routes it without the authorizer).
    return lambda_handler(event(path, tenant=None), Ctx())


def _body(response: dict[str, Any]) -> str:
    import base64
    import gzip

    body = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(body)
        body = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()
    return body


def test_the_reference_page_loads_only_files_the_api_serves() -> None:
    page = _get(f"{BASE}/docs")
    assert page["statusCode"] == 200
    assert page["headers"]["Content-Type"].startswith("text/html")
    csp = page["headers"]["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    html = _body(page)
    assert "://" not in html  # no CDN, no absolute URL: offline and behind any host name
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"docs/swagger-ui-bundle.min.js", "docs/swagger-ui.min.css", "docs/init.js"} <= set(references)
    for reference in references:
        response = _get(f"{BASE}/{reference}")
        assert response["statusCode"] == 200, reference
        assert len(_body(response)) > 10, reference
    init = _body(_get(f"{BASE}/docs/init.js"))
    assert 'url: "openapi.json"' in init and "validatorUrl: null" in init  # the online validator is off
    assert "://" not in init
    assert _get(f"{BASE}/docs/../openapi.json")["statusCode"] == 404
    assert _get(f"{BASE}/docs/unknown.js")["statusCode"] == 404
    spec = _get(f"{BASE}/openapi.json")
    assert spec["statusCode"] == 200 and json.loads(spec["body"]) == DOC
