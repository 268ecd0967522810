"""Logs never carry secrets or personal data.

Every log line written while a representative set of requests runs (200, 422, 401, 404, 414, 503)
is captured twice: through handlers on the Powertools loggers and the root logger (formatted as
Powertools formats them, exceptions included), and from the process's stdout/stderr (capfd). The
text is then scanned for bearer tokens and their parts, the JWT secret, database passwords and
phone numbers.

Phone numbers: the leads' phone ('0900000000') and any Vietnamese-looking number (0 + 9 digits)
are forbidden, except the tenants' caller IDs (raw.caller_ids.cid): those are the business's own
outbound lines, not personal data, and a report or parameter may legitimately name them.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode, urlparse

import psycopg
import pytest

from telesales_dev.embedded_db import local_secret
from telesales_dev.local_api import jwt_secret
from telesales_reports.db import connection as db
from tests.reliability.conftest import BASE_PATH, REPORTS, forge_token, send
from tests.support import api_url

DAY = [("date_from", "2026-06-01"), ("date_to", "2026-06-07")]
LEAD_PHONE = "0900000000"
PHONE_RE = re.compile(r"(?<![0-9A-Za-z])0[0-9]{9}(?![0-9A-Za-z])")
UNREACHABLE_PASSWORD = "N0t-In-Any-Log-7c1f"
UNREACHABLE_URL = f"postgresql://nobody:{UNREACHABLE_PASSWORD}@127.0.0.1:1/none"
LOGGER_NAMES = ("telesales-reports", "telesales-reports-snapshot", "")


class Collect(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def collected() -> Iterator[Callable[[], list[str]]]:
    """Handlers on the service loggers (Powertools' own formatter) and the root logger."""
    from telesales_reports.api.handler import logger as api_logger

    handlers: list[tuple[logging.Logger, Collect]] = []
    for name in LOGGER_NAMES:
        target = logging.getLogger(name) if name else logging.getLogger()
        formatter = (
            api_logger.registered_formatter
            if name
            else logging.Formatter("%(levelname)s %(name)s %(message)s %(exc_info)s")
        )
        handler = Collect(formatter)
        target.addHandler(handler)
        handlers.append((target, handler))
    yield lambda: [line for _, handler in handlers for line in handler.lines]
    for target, handler in handlers:
        target.removeHandler(handler)


def requests_to_log(live) -> list[tuple[str, dict, int]]:
    bearer = {"Authorization": f"Bearer {live.token1}"}
    bearer2 = {"Authorization": f"Bearer {live.token2}"}
    day = urlencode(DAY)
    plan = [(f"{report}?{day}", bearer, 200) for report in REPORTS]
    plan += [(f"{report}/export?{day}&format={fmt}", bearer2, 200) for report in REPORTS for fmt in ("csv", "xlsx")]
    plan += [
        ("abandon-rate?campaign_id=43", bearer, 200),
        (f"dashboard?{day}&search={LEAD_PHONE}&phone={LEAD_PHONE}", bearer, 200),  # unknown params: ignored
        (f"dashboard?{day}&timezone={LEAD_PHONE}", bearer, 422),
        (f"dashboard?{day}&campaign_id={LEAD_PHONE}", bearer, 422),
        (f"dashboard?{day}&agent_ids[]={LEAD_PHONE}&agent_ids[]=x", bearer, 422),
        ("time-series?date_from=2026-01-01&date_to=2026-06-01&group_by=month", bearer, 422),
        ("abandon-rate?window_minutes=0", bearer, 422),
        (f"dashboard?{day}", {}, 401),
        (f"dashboard?{day}", {"Authorization": "Bearer not-a-jwt"}, 401),
        (f"dashboard?{day}", {"Authorization": f"Bearer {forge_token(secret='x' * 40)}"}, 401),
        (f"dashboard?{day}", {"Authorization": f"Bearer {forge_token(tenant_id='abc')}"}, 401),
        (f"dashboard?{day}", {"Authorization": f"Bearer {forge_token(iat=1, exp=2)}"}, 401),
        (f"nope?{day}", bearer, 404),
        (f"dashboard?{day}&pad={'a' * 17000}", bearer, 414),
    ]
    return plan


def secrets_of(live, plan) -> list[str]:
    """Every token sent (whole, and each of its three parts), the JWT secret, database passwords."""
    values = {jwt_secret(), UNREACHABLE_PASSWORD, local_secret("api-db-password")}
    password = urlparse(live.database_url).password
    if password:
        values.add(password)
    for _, headers, _ in plan:
        token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token.count(".") == 2:
            values.add(token)
            values.update(part for part in token.split(".") if len(part) >= 8)
    return sorted(values)


def caller_ids(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        return {row[0] for row in conn.execute("select cid from raw.caller_ids")}


def test_logs_carry_no_secret_and_no_phone_number(live, collected, capfd):
    plan = requests_to_log(live)
    for target, headers, status in plan:
        reply = send(live, target, headers=headers)
        assert reply.status == status, (target[:100], reply.text[:200])
    # 503: the handler pointed at a database that is not there (its password must not be logged either).
    db.reset(UNREACHABLE_URL)
    try:
        for target in (
            f"dashboard?{urlencode(DAY)}",
            "abandon-rate?campaign_id=43",
            f"funnel/export?{urlencode(DAY)}&format=csv",
        ):
            reply = send(live, target, headers={"Authorization": f"Bearer {live.token1}"})
            assert (reply.status, reply.json()) == (503, {"message": "Service Unavailable."})
    finally:
        db.reset(api_url(live.database_url))
    plan.append(("503 requests", {"Authorization": f"Bearer {live.token1}"}, 503))

    captured = capfd.readouterr()
    text = "\n".join([*collected(), captured.out, captured.err])
    # The capture is not vacuous: the requests above were logged.
    assert "report computed" in text
    assert "request rejected" in text
    assert "database unavailable" in text
    print(
        f"\nscanned {len(collected())} logger records and {len(captured.out) + len(captured.err)} bytes of stdout/stderr"
    )

    for secret in secrets_of(live, plan):
        assert secret not in text, f"a secret (…{secret[-6:]}) is in the logs"
    assert LEAD_PHONE not in text
    allowed = caller_ids(live.database_url)
    assert LEAD_PHONE not in allowed
    phones = sorted(set(PHONE_RE.findall(text)) - allowed)
    assert not phones, f"phone numbers in the logs: {phones}"


def test_a_client_that_hangs_up_before_its_answer_leaves_no_stack_trace(live, capfd):
    """A browser that cancels an export, or a load test's client that gives up, resets the connection
    before the local API writes the answer: the server drops that answer quietly (no traceback on
    stderr) and goes on serving."""
    capfd.readouterr()
    request = (
        f"GET {BASE_PATH}/caller-id-health/export?{urlencode(DAY)}&format=xlsx HTTP/1.1\r\n"
        f"Host: {live.host}\r\nAuthorization: Bearer {live.token1}\r\n\r\n"
    ).encode()
    for _ in range(5):
        with socket.create_connection((live.host, live.port), timeout=30) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
            sock.sendall(request)
    time.sleep(2)  # the server's threads answer (and find the connection gone) meanwhile
    assert send(live, f"dashboard?{urlencode(DAY)}", headers=live.auth()).status == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipeError" not in err and "ConnectionResetError" not in err
