"""The real local API (HTTP on loopback) over the contract database, for the reliability tests.

Also the contract's response rules shared by the fuzz, catalogue and isolation tests (docs/api-reference.md
section 1): error bodies have exactly the contract's shapes and nothing internal ever leaks.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import jwt
import pytest

from telesales_dev.local_api import jwt_secret, make_token, serve
from telesales_reports.db import connection as db
from tests.support import api_url

BASE_PATH = "/api/telesales/reports"
INVALID = "The given data was invalid."
REPORTS = (
    "dashboard",
    "disposition-breakdown",
    "agent-performance",
    "funnel",
    "caller-id-health",
    "hour-dow-heatmap",
    "lead-source-attribution",
    "time-series",
    "attempts",
    "carrier-health",
)
ALL_REPORTS = (*REPORTS, "abandon-rate")
MESSAGE_BODIES = {
    401: {"message": "Unauthenticated."},
    404: {"message": "Not Found."},
    414: {"message": "URI Too Long."},
}
# Nothing internal may reach a body: stack traces, driver names, SQL, source or file-system paths.
LEAK_RE = re.compile(
    r"Traceback|psycopg|SELECT|select |File \"|site-packages|\.py\b|/(?:work|home|root|usr|tmp|var|etc|opt)/",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class LiveApi:
    """A running local API: `root` is http://127.0.0.1:PORT, `base` adds the reports' base path."""

    host: str
    port: int
    token1: str
    token2: str
    database_url: str

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base(self) -> str:
        return f"{self.root}{BASE_PATH}"

    def token(self, tenant_id: int) -> str:
        return {1: self.token1, 2: self.token2}[tenant_id]

    def auth(self, tenant_id: int = 1) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(tenant_id)}"}


@pytest.fixture(scope="session")
def live_api(contract_db: str) -> Iterator[LiveApi]:  # noqa: F811
    """`local_api.serve("127.0.0.1", 0)` in a background thread over the contract database."""
    db.reset(api_url(contract_db))
    server = serve("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield LiveApi(
            host="127.0.0.1",
            port=server.server_port,
            token1=make_token(1),
            token2=make_token(2),
            database_url=contract_db,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live(live_api: LiveApi) -> LiveApi:
    """The live API, with the handler's connection (re)pointed at the contract database.

    Other test folders point `db` elsewhere; resetting per test keeps a whole-suite run correct.
    """
    db.reset(api_url(live_api.database_url))
    return live_api


def contract_problems(status: int, content_type: str, body: bytes) -> list[str]:
    """Everything wrong with a response under docs/api-reference.md §1 (empty when it is fine)."""
    problems: list[str] = []
    if status >= 500:
        problems.append(f"server error {status}")
    is_binary = content_type.startswith(XLSX_TYPE)
    text = "" if is_binary else body.decode("utf-8", errors="replace")
    if not is_binary and LEAK_RE.search(text):
        problems.append(f"internal detail in the body: {LEAK_RE.search(text).group(0)!r}")
    if status < 400:
        return problems
    if not content_type.startswith("application/json"):
        return [*problems, f"{status} with Content-Type {content_type!r}"]
    try:
        payload = json.loads(text)
    except ValueError:
        return [*problems, f"{status} body is not JSON: {text[:200]!r}"]
    if status == 422:
        if not (
            isinstance(payload, dict)
            and set(payload) == {"message", "errors"}
            and payload["message"] == INVALID
            and isinstance(payload["errors"], dict)
            and payload["errors"]
            and all(
                isinstance(key, str) and isinstance(msgs, list) and msgs and all(isinstance(m, str) for m in msgs)
                for key, msgs in payload["errors"].items()
            )
        ):
            problems.append(f"422 body not in the contract's shape: {payload!r}")
    elif status in MESSAGE_BODIES:
        if payload != MESSAGE_BODIES[status]:
            problems.append(f"{status} body {payload!r} != {MESSAGE_BODIES[status]!r}")
    elif status in (400, 431):  # the local server's HTTP layer (malformed request, too many headers)
        if not (isinstance(payload, dict) and set(payload) == {"message"} and isinstance(payload["message"], str)):
            problems.append(f"{status} body not a message body: {payload!r}")
    else:
        problems.append(f"unexpected status {status}: {payload!r}")
    return problems


DROP = object()  # a claim value meaning "leave this claim out"


def forge_token(secret: str | None = None, algorithm: str = "HS256", **overrides) -> str:
    """A token like `make_token(1)`, with claims replaced or dropped (DROP); signed with `secret`
    (default: the local API's real secret), or unsigned when algorithm is "none"."""
    now = int(time.time())
    claims = {"tenant_id": 1, "sub": "local-user", "iat": now, "exp": now + 3600}
    claims.update(overrides)
    claims = {key: value for key, value in claims.items() if value is not DROP}
    if algorithm == "none":

        def part(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    return jwt.encode(claims, secret if secret is not None else jwt_secret(), algorithm=algorithm)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def send(api: LiveApi, target: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    """One request over real HTTP/1.1 (http.client, so any method and an exact, pre-encoded target).

    `target` is relative to the reports' base path when it does not start with "/".
    """
    import http.client

    path = target if target.startswith("/") else f"{BASE_PATH}/{target}"
    conn = http.client.HTTPConnection(api.host, api.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return Reply(
            status=response.status,
            content_type=response.getheader("Content-Type", ""),
            body=body,
            headers={k.lower(): v for k, v in response.getheaders()},
        )
    finally:
        conn.close()


def send_raw(api: LiveApi, request: bytes) -> Reply:
    """Bytes straight onto the socket (malformed requests http.client refuses to send)."""
    import socket

    with socket.create_connection((api.host, api.port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    if not data.startswith(b"HTTP/"):  # an HTTP/0.9-style reply (no status line) to a broken request line
        return Reply(0, "", data, {})
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    headers = {k.lower(): v for k, v in headers.items()}
    return Reply(int(lines[0].split()[1]), headers.get("content-type", ""), body, headers)
