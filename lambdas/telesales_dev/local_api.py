"""The local API: real HTTP in, API Gateway v2 events to the same Lambda handler, HTTP out.

It behaves like API Gateway with a JWT authorizer: a bearer token signed (HS256) with the local
secret and carrying an integer `tenant_id` claim is required on every route but the OpenAPI
document; its claims reach the handler in `requestContext.authorizer.jwt.claims` as strings.
Outside `/api/` it also answers the reports console's static files (`/` is the page), as
CloudFront does in AWS.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import jwt

from telesales_build.paths import data_dir
from telesales_reports.settings import MIN_JWT_SECRET_BYTES, SettingsError, get_settings

from .console_files import console_file
from .embedded_db import local_secret
from .events import LambdaContext, http_api_event

UNAUTHENTICATED = json.dumps({"message": "Unauthenticated."}).encode()
PUBLIC_PATHS = {"/api/telesales/reports/openapi.json", "/api/telesales/reports/docs"}
PUBLIC_FILE = re.compile(r"/api/telesales/reports/docs/[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")  # the reference's files
# CORS as API Gateway's configuration in infra/template.yaml answers it.
CORS_METHODS = "GET, OPTIONS"
CORS_HEADERS = "authorization, content-type"
CORS_EXPOSE = "content-disposition, x-warehouse-built-at"
CORS_MAX_AGE = "600"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or PUBLIC_FILE.fullmatch(path) is not None


def cors_origin(origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin for a request's Origin header (None: not allowed, or no Origin)."""
    if not origin:
        return None
    allowed = [o.strip() for o in get_settings().cors_allow_origin.split(",") if o.strip()]
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


HANDLER_LOCK = threading.Lock()
ERROR_MESSAGES = {
    400: "Bad Request.",
    404: "Not Found.",
    408: "Request Timeout.",
    414: "URI Too Long.",
    431: "Request Header Fields Too Large.",
    501: "Not Implemented.",
    505: "HTTP Version Not Supported.",
}


def jwt_secret() -> str:
    """TELESALES_JWT_SECRET (at least 32 bytes, settings.py), else a secret generated once into the
    project's data folder: created with mode 0600 (never readable by others, not even for a moment)."""
    configured = get_settings().jwt_secret
    if configured:
        return configured
    secret = local_secret("jwt-secret")
    if len(secret.encode("utf-8")) < MIN_JWT_SECRET_BYTES:
        raise SettingsError(
            f"{data_dir() / 'jwt-secret'}: the local JWT secret must be at least {MIN_JWT_SECRET_BYTES}"
            " bytes; delete the file to have a new one generated"
        )
    return secret


def make_token(tenant_id: int, ttl_seconds: int = 7 * 24 * 3600, subject: str = "local-user") -> str:
    now = int(time.time())
    claims = {"tenant_id": tenant_id, "sub": subject, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, jwt_secret(), algorithm="HS256")


def verify_token(header: str | None) -> dict | None:
    """The token's claims (as API Gateway passes them: strings), or None when it does not verify."""
    if not header or not header.lower().startswith("bearer "):
        return None
    try:
        claims = jwt.decode(header[7:].strip(), jwt_secret(), algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}


def to_event(method: str, target: str, headers: dict[str, str], claims: dict | None) -> dict:
    """The HTTP API payload v2 event of one HTTP request (the query string passed through as sent)."""
    parts = urlsplit(target)
    return http_api_event(method, parts.path, parts.query, claims=claims, headers=headers)


class Handler(BaseHTTPRequestHandler):
    server_version = "telesales-reports-local"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: the Lambda logger logs
        if os.environ.get("TELESALES_ACCESS_LOG"):
            super().log_message(format, *args)

    def handle(self) -> None:
        """A client that hung up before its answer was written (a cancelled export, a load test's
        timeout) loses that answer; the server logs one line, not a traceback, and serves on."""
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.log_error("the client closed the connection before its answer was sent")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, URL over 64 KiB, too many headers) as JSON.

        The body never echoes the request (docs/api-reference.md §1: only `{"message": ...}` bodies).
        """
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        body = json.dumps({"message": ERROR_MESSAGES.get(code, "Bad Request.")}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def __getattr__(self, name: str):
        # Every method reaches the handler, as API Gateway routes it: no route -> 404 (DECISIONLOG 9).
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        allow = cors_origin(self.headers.get("Origin"))
        headers = dict(headers)
        if allow:
            # one Vary header listing every request header the answer depends on (gzip sets one too)
            vary = [v.strip() for v in headers.pop("Vary", "").split(",") if v.strip()]
            headers["Vary"] = ", ".join([*vary, "Origin"])
        for key, value in headers.items():
            self.send_header(key, value)
        if allow:
            self.send_header("Access-Control-Allow-Origin", allow)
            self.send_header("Access-Control-Expose-Headers", CORS_EXPOSE)
        if status != 204:  # a 204 carries no Content-Length (RFC 9110)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self) -> None:
        from telesales_reports.api.handler import lambda_handler

        if len(self.path.encode()) > get_settings().max_query_string_bytes:
            self._send(414, json.dumps({"message": "URI Too Long."}).encode(), {"Content-Type": "application/json"})
            return
        path = urlsplit(self.path).path
        if self.command in ("GET", "HEAD"):
            page = console_file(path)  # the reports console: public static files, like S3 behind CloudFront
            if page is not None:
                self._send(200, *page)
                return
            if not path.startswith("/api/"):
                # outside the API only the console's files exist (a browser's /favicon.ico): not found,
                # not a demand for a token
                self._send(
                    404, json.dumps({"message": ERROR_MESSAGES[404]}).encode(), {"Content-Type": "application/json"}
                )
                return
        if self.command == "OPTIONS" and self.headers.get("Access-Control-Request-Method"):
            # A browser's preflight carries no token: answered before authentication, as by API Gateway.
            preflight = {"Access-Control-Allow-Methods": CORS_METHODS, "Access-Control-Allow-Headers": CORS_HEADERS}
            self._send(204, b"", {**preflight, "Access-Control-Max-Age": CORS_MAX_AGE})
            return
        claims = None
        if not is_public(path):
            claims = verify_token(self.headers.get("Authorization"))
            if claims is None:
                self._send(401, UNAUTHENTICATED, {"Content-Type": "application/json", "WWW-Authenticate": "Bearer"})
                return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400)
            return
        if length:
            self.rfile.read(min(length, 1 << 20))
        event = to_event(self.command, self.path, dict(self.headers.items()), claims)
        # One event at a time, as in a Lambda execution environment: the resolver keeps the current
        # event (and the logger its keys) in shared state, so concurrent calls would mix requests.
        with HANDLER_LOCK:
            result = lambda_handler(event, LambdaContext(event["requestContext"]["requestId"]))
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
        headers = dict(result.get("headers") or {})
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers[key] = ", ".join(values)
        for cookie in result.get("cookies") or []:
            headers["Set-Cookie"] = cookie
        self._send(int(result.get("statusCode", 500)), raw, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch  # noqa: N815


def serve(host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
