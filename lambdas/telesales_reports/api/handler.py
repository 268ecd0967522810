"""The report API: one Lambda function behind API Gateway (HTTP API, payload v2, JWT authorizer).

The routes live in `Router` modules (api/routes/): they turn an event into a ReportRequest (params.py),
call one report of the registry (reports/registry.py) inside a read-only transaction, and turn the
value into a response (respond.py). Here the routers are joined and every domain exception is mapped
to the contract's error bodies.
"""

from __future__ import annotations

import json
from functools import partial

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths

from ..db import connection
from ..db.connection import ServiceUnavailable
from ..exports.errors import StorageUnavailable, TemplateError, TemplateUnavailable
from ..settings import get_settings
from . import response_size, snapstart
from .build_time import add_build_time
from .errors import BODIES, NotFound, Unauthenticated, ValidationFailed
from .observability import logger, tracer
from .routes import abandon_rate, documents, exports, filters, reports

__all__ = ["app", "lambda_handler", "logger", "openapi_json"]

app = APIGatewayHttpResolver(
    enable_validation=False,
    serializer=partial(json.dumps, ensure_ascii=False, separators=(",", ":")),
)
# X-Warehouse-Built-At on the data routes' answers (api/build_time.py).
app.use(middlewares=[add_build_time])
ROUTERS = [reports.router, exports.router, abandon_rate.router, filters.router, documents.router]
for _router in ROUTERS:
    app.include_router(_router)
documents.SERVED[:] = ROUTERS  # what GET .../openapi.json describes


def _json_error(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body, ensure_ascii=False))


@app.exception_handler(ValidationFailed)
def _on_validation(exc: ValidationFailed) -> Response:
    logger.info("request rejected", extra={"fields": sorted(exc.errors)})
    return _json_error(422, exc.body())


@app.exception_handler(Unauthenticated)
def _on_unauthenticated(_: Unauthenticated) -> Response:
    return _json_error(401, BODIES[401])


@app.exception_handler(ServiceUnavailable)
def _on_unavailable(exc: ServiceUnavailable) -> Response:
    logger.warning("database unavailable", extra={"reason": str(exc)})
    return _json_error(503, BODIES[503])


@app.exception_handler(TemplateUnavailable)
def _on_template_store_unreadable(exc: TemplateUnavailable) -> Response:
    # A template store that cannot be read is a dependency fault.
    logger.warning("export template store unreadable", extra={"tenant_id": exc.tenant_id, "reason": str(exc)})
    return _json_error(503, BODIES[503])


@app.exception_handler(TemplateError)
def _on_template_invalid(exc: TemplateError) -> Response:
    # The caller (a supervisor) cannot fix a template, operations can: the contract's opaque 500, and a
    # log line naming the tenant and every bad key.
    logger.error(
        "export template invalid",
        extra={"tenant_id": exc.tenant_id, "template_keys": exc.keys, "reason": str(exc)},
    )
    return _json_error(500, BODIES[500])


@app.exception_handler(StorageUnavailable)
def _on_storage_unavailable(_: StorageUnavailable) -> Response:
    return _json_error(503, BODIES[503])  # exports/storage.py logged why


@app.exception_handler(NotFound)
def _on_not_found(_: NotFound) -> Response:
    return _json_error(404, BODIES[404])


@app.not_found
def _on_no_route(_: NotFoundError) -> Response:
    return _json_error(404, BODIES[404])


@app.exception_handler(Exception)
def _on_error(exc: Exception) -> Response:
    logger.exception("unhandled error")
    return _json_error(500, BODIES[500])


def openapi_json() -> str:
    """The OpenAPI document of the API (docs/openapi.json is this, committed)."""
    return documents.openapi_document_of(ROUTERS)


# Time kept back from the Lambda's remaining time for serialising and returning the answer.
RESPONSE_MARGIN_MS = 1000


def request_budget_ms(context) -> int:
    """The request's deadline: the configured budget, never beyond the Lambda's own remaining time."""
    budget = get_settings().request_budget_ms
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        budget = min(budget, remaining() - RESPONSE_MARGIN_MS)
    return max(budget, 0)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context) -> dict:
    with connection.deadline(request_budget_ms(context)):
        response = app.resolve(event, context)
    return response_size.fit(event, response)


# Under Lambda SnapStart the init above is snapshotted once per published version (api/snapstart.py).
snapstart.register()
