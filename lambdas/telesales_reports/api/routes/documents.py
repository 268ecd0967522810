"""The API's own documents: `GET /api/telesales/reports/openapi.json` (committed as docs/openapi.json) and
the interactive reference at `GET /api/telesales/reports/docs` (Swagger UI, api/reference_page.py).

Both are public in AWS (routes without the authorizer in infra/template.yaml): they hold no data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from .. import reference_page
from ..errors import NotFound
from ..routing import BASE, documenting_resolver

router = Router()
# The routers the app serves, in its order (api/handler.py sets it): the document describes them.
SERVED: list[Router] = []


def openapi_document_of(routers: Iterable[Router]) -> str:
    """The OpenAPI document of the documented routes of `routers` (api/routing.py)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    from ..openapi_document import finish

    generated = documenting_resolver(routers).get_openapi_json_schema(
        title="Telesales reports API",
        version="1.0.0",
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearerAuth": []}],
    )
    return json.dumps(finish(json.loads(generated)), ensure_ascii=False, indent=2)


@router.get(f"{BASE}/openapi.json", include_in_schema=False)
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=openapi_document_of(SERVED))


@router.get(f"{BASE}/docs", include_in_schema=False)
def reference():
    return reference_page.page()


@router.get(f"{BASE}/docs/<name>", include_in_schema=False)
def reference_file(name: str):
    response = reference_page.asset(name)
    if response is None:
        raise NotFound
    return response
