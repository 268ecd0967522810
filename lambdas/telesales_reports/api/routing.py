"""Routes are served without their OpenAPI description; the description is built for the document only.

A route module registers each handler for serving with `get(router, path, doc)`. `doc` is a function
returning the route's OpenAPI keywords for Powertools' `Router.get` (summary, operation_id, description,
responses with their pydantic models, tags), plus `query`, a function whose signature documents the
query string, and `returns`, the response model. Those need pydantic, the response models and
Powertools' OpenAPI parameter types: with the settings' pydantic model, about 190 ms of a cold start
(503 → 309 ms without them), for a document that is rarely asked for, while every request needs the
routes (DECISIONLOG 102). `documenting_resolver` registers the same
handlers with their keywords on a resolver of its own when the document is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Router

BASE = "/api/telesales/reports"

Doc = Callable[[], dict[str, Any]]

# (router, path, doc, handler) of every documented route, in registration order.
_DOCUMENTED: list[tuple[Router, str, Doc, Callable]] = []


def get(router: Router, path: str, doc: Doc | None = None) -> Callable[[Callable], Callable]:
    """Serve GET `path` on `router` with the decorated function; a route without `doc` is left out of
    the OpenAPI document."""

    def decorate(handler: Callable) -> Callable:
        router.get(path)(handler)
        if doc is not None:
            _DOCUMENTED.append((router, path, doc, handler))
        return handler

    return decorate


def documenting_resolver(routers: Iterable[Router]) -> APIGatewayHttpResolver:
    """A resolver holding the documented routes of `routers`, in their order, with their OpenAPI
    keywords: what Powertools generates the document from."""
    from .parameters import documented_by

    resolver = APIGatewayHttpResolver(enable_validation=False)
    for router in routers:
        for owner, path, doc, handler in _DOCUMENTED:
            if owner is not router:
                continue
            keywords = dict(doc())
            query, returns = keywords.pop("query", None), keywords.pop("returns", None)
            if query is not None:
                documented_by(query, returns=returns)(handler)
            resolver.get(path, **keywords)(handler)
    return resolver
