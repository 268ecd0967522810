"""`GET /api/telesales/reports/openapi.json`: the API's own OpenAPI document (committed as docs/openapi.json)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router

from ..parameters import BASE

router = Router()


def openapi_document_of(app: ApiGatewayResolver) -> str:
    """The OpenAPI document of every route `app` holds."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return app.get_openapi_json_schema(
        title="Telesales reports API",
        version="1.0.0",
        description="Nine telesales reports (docs/api-reference.md). Every route needs a JWT with an integer tenant_id claim.",
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT", description="API Gateway JWT authorizer")},
        security=[{"bearerAuth": []}],
    )


@router.get(f"{BASE}/openapi.json", include_in_schema=False)
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=openapi_document_of(router.api_resolver))
