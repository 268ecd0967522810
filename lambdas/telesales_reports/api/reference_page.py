"""The interactive API reference: Swagger UI at /api/telesales/reports/docs, from files in the package.

The Swagger UI build is the one aws-lambda-powertools ships inside its wheel (already in the Lambda
package): nothing is fetched from a CDN, the spec is this API's own openapi.json, the online
validator is off, and the Content-Security-Policy lets the page load nothing from another origin, so
it works offline and behind a strict network policy.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from aws_lambda_powertools.event_handler import Response

SWAGGER_PACKAGE = "aws_lambda_powertools.event_handler.openapi.swagger_ui"
ASSET_TYPES = {
    "swagger-ui-bundle.min.js": "text/javascript; charset=utf-8",
    "swagger-ui.min.css": "text/css; charset=utf-8",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# Relative URLs: the page is /api/telesales/reports/docs, its files /api/telesales/reports/docs/<name>,
# the spec /api/telesales/reports/openapi.json (the same in AWS and on the local server).
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Telesales reports API</title>
<link rel="stylesheet" href="docs/swagger-ui.min.css">
</head>
<body>
<div id="swagger-ui"><noscript>The API reference needs JavaScript; the document itself is
<a href="openapi.json">openapi.json</a>.</noscript></div>
<script src="docs/swagger-ui-bundle.min.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
"""

INIT_JS = """// Swagger UI over this API's own document. "Authorize" takes a bearer token (JWT with tenant_id).
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  persistAuthorization: true,
  validatorUrl: null,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"""


@cache
def _asset(name: str) -> str:
    return resources.files(SWAGGER_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _headers(cache_seconds: int) -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": f"public, max-age={cache_seconds}" if cache_seconds else "no-cache",
    }


def page() -> Response:
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=PAGE, headers=_headers(0))


def asset(name: str) -> Response | None:
    """One of the page's files, or None (a 404 for the caller)."""
    if name == "init.js":
        body, content_type = INIT_JS, "text/javascript; charset=utf-8"
    elif name in ASSET_TYPES:
        body, content_type = _asset(name), ASSET_TYPES[name]
    else:
        return None
    return Response(status_code=200, content_type=content_type, body=body, headers=_headers(86400), compress=True)
