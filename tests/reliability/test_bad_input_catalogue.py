"""A catalogue of hostile and malformed requests, sent over real HTTP to the local API.

Each row names its exact status and either the exact set of 422 error keys or the exact body
(docs/api-reference.md §1, DECISIONLOG.md "Request handling"). Every body is also scanned for
internal detail (stack traces, driver names, SQL, file paths).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import requests

from tests.reliability.conftest import (
    DROP,
    INVALID,
    LEAK_RE,
    REPORTS,
    contract_problems,
    forge_token,
    send,
    send_raw,
)

DAY = [("date_from", "2026-06-01"), ("date_to", "2026-06-01")]
RANGE = {"date_to": ["The date_from..date_to range may not exceed 90 days."]}
TOO_MANY = {"agent_ids": ["The agent ids field must not have more than 500 items."]}
UNAUTHENTICATED = {"message": "Unauthenticated."}
NOT_FOUND = {"message": "Not Found."}
URI_TOO_LONG = {"message": "URI Too Long."}
BAD_REQUEST = {"message": "Bad Request."}


@dataclass(frozen=True)
class Bad:
    """One request and what the API must answer.

    `query` is a list of (key, value) pairs (url-encoded here) or an already-encoded string.
    `auth` names the Authorization header to send (see `authorization`).
    Exactly one of `errors` (the exact set of 422 error keys) and `body` (the exact JSON body).
    """

    id: str
    path: str
    query: list[tuple[str, str]] | str = field(default_factory=list)
    status: int = 422
    errors: frozenset[str] | None = None
    body: dict | None = None
    method: str = "GET"
    auth: str = "tenant1"
    headers: tuple[tuple[str, str], ...] = ()

    def target(self) -> str:
        query = self.query if isinstance(self.query, str) else urlencode(self.query)
        return f"{self.path}?{query}" if query else self.path


def keys(*names: str) -> frozenset[str]:
    return frozenset(names)


def authorization(kind: str, live) -> dict[str, str]:
    tokens = {
        "tenant1": live.token1,
        "tenant2": live.token2,
        "garbage": "not-a-jwt",
        "expired": forge_token(iat=1_600_000_000, exp=1_600_000_600),
        "no-exp": forge_token(exp=DROP),
        "other-secret": forge_token(secret="not-the-local-secret-" + "x" * 32),
        "alg-none": forge_token(algorithm="none"),
        "tenant-abc": forge_token(tenant_id="abc"),
        "tenant-1.5": forge_token(tenant_id=1.5),
        "tenant-list": forge_token(tenant_id=[1]),
        "tenant-true": forge_token(tenant_id=True),
        "tenant-zero": forge_token(tenant_id=0),
        "tenant-negative": forge_token(tenant_id=-1),
        "tenant-huge": forge_token(tenant_id=2**64),
        "tenant-sql": forge_token(tenant_id="1 or 1=1"),
        "no-tenant": forge_token(tenant_id=DROP),
    }
    if kind == "none":
        return {}
    if kind == "basic":
        return {"Authorization": "Basic dXNlcjpwYXNz"}
    if kind == "bearer-empty":
        return {"Authorization": "Bearer "}
    return {"Authorization": f"Bearer {tokens[kind]}"}


SQLI = [
    ("date_from", "2026-06-01' OR '1'='1", "dashboard", "date_from"),
    ("date_to", "2026-06-01; DROP TABLE raw.calls; --", "dashboard", "date_to"),
    ("campaign_id", "43 OR 1=1", "funnel", "campaign_id"),
    ("team_id", "7; SELECT pg_sleep(10); --", "agent-performance", "team_id"),
    ("agent_ids[]", "3) UNION SELECT usename FROM pg_user --", "caller-id-health", "agent_ids.0"),
    ("timezone", "UTC'; DROP SCHEMA marts CASCADE; --", "hour-dow-heatmap", "timezone"),
    ("format", "csv' OR 'x'='x", "disposition-breakdown", "format"),
    ("group_by", "day; DELETE FROM raw.calls", "time-series", "group_by"),
]
CATALOGUE: list[Bad] = [
    # --- SQL injection in every parameter: plain bad input, one error key each ---------------
    *[
        Bad(f"sqli-{key}", report, [*((k, v) for k, v in DAY if k != key), (key, value)], errors=keys(error))
        for key, value, report, error in SQLI
    ],
    Bad("sqli-abandon-campaign", "abandon-rate", [("campaign_id", "43' --")], errors=keys("campaign_id")),
    Bad(
        "sqli-abandon-window",
        "abandon-rate",
        [("campaign_id", "43"), ("window_minutes", "1;drop table raw.calls")],
        errors=keys("window_minutes"),
    ),
    Bad(
        "sqli-export-agent",
        "lead-source-attribution/export",
        [*DAY, ("format", "csv"), ("agent_ids", "3,4 --")],
        errors=keys("agent_ids.1"),
    ),
    # --- paths and impossible dates ---------------------------------------------------------
    Bad("tz-path-traversal", "dashboard", [*DAY, ("timezone", "../../etc/passwd")], errors=keys("timezone")),
    Bad("tz-absolute-path", "dashboard", [*DAY, ("timezone", "/usr/share/zoneinfo/UTC")], errors=keys("timezone")),
    Bad("tz-posix", "time-series", [*DAY, ("timezone", "UTC+7")], errors=keys("timezone")),
    Bad("date-zero", "dashboard", [("date_from", "0000-00-00"), ("date_to", "2026-06-01")], errors=keys("date_from")),
    Bad("dates-missing", "funnel", [], errors=keys("date_from", "date_to")),
    Bad(
        "date-to-before-from",
        "funnel",
        [("date_from", "2026-06-02"), ("date_to", "2026-06-01")],
        errors=keys("date_to"),
    ),
    Bad(
        "date-year-10000-edge",
        "dashboard",
        [("date_from", "9999-12-31T23:50:00"), ("date_to", "9999-12-31T23:59:59")],
        errors=keys("date_to"),
    ),
    Bad(
        "date-week-form",
        "dashboard",
        [("date_from", "2026-W23-1"), ("date_to", "2026-06-01")],
        errors=keys("date_from"),
    ),
    # --- the 90-day edge, with and without offsets ------------------------------------------
    Bad("90-days-dates", "dashboard", [("date_from", "2026-03-03"), ("date_to", "2026-06-01")], status=200),
    Bad(
        "91-days-dates",
        "dashboard",
        [("date_from", "2026-03-02"), ("date_to", "2026-06-01")],
        body={"message": INVALID, "errors": RANGE},
    ),
    Bad(
        "90-days-datetimes",
        "funnel",
        [("date_from", "2026-03-03T00:00:00"), ("date_to", "2026-06-01T00:00:00")],
        status=200,
    ),
    Bad(
        "90-days-plus-1s",
        "funnel",
        [("date_from", "2026-03-03T00:00:00"), ("date_to", "2026-06-01T00:00:01")],
        body={"message": INVALID, "errors": RANGE},
    ),
    Bad(
        "90-days-from-offset",
        "dashboard",
        [("date_from", "2026-03-03T07:00:00+07:00"), ("date_to", "2026-06-01T00:00:00Z")],
        status=200,
    ),
    Bad(
        "90-days-from-offset-plus-1s",
        "dashboard",
        [("date_from", "2026-03-03T06:59:59+07:00"), ("date_to", "2026-06-01T00:00:00Z")],
        body={"message": INVALID, "errors": RANGE},
    ),
    Bad(
        "90-days-to-offset",
        "time-series",
        [("date_from", "2026-03-03T00:00:00Z"), ("date_to", "2026-06-01T07:00:00+07:00")],
        status=200,
    ),
    Bad(
        "90-days-to-offset-plus-1s",
        "time-series",
        [("date_from", "2026-03-03T00:00:00Z"), ("date_to", "2026-06-01T07:00:01+07:00")],
        body={"message": INVALID, "errors": RANGE},
    ),
    Bad(
        "90-days-date-and-datetime",
        "dashboard",
        [("date_from", "2026-03-03"), ("date_to", "2026-06-01T00:00:00+00:00")],
        status=200,
    ),
    # --- leap days ----------------------------------------------------------------------------
    # The calendar's first days: the 7-day and daily periods the rollups are read in start before year 1
    # there (caller-ID health and carrier health answered 500), and every report answers them empty.
    *(
        Bad(f"year-1-{report}", report, [("date_from", "0001-01-01"), ("date_to", "0001-02-15")], status=200)
        for report in REPORTS
    ),
    Bad(
        "year-1-offset-time-series",
        "time-series",
        [("date_from", "0001-01-01T05:45:00+05:45"), ("date_to", "0001-01-03"), ("group_by", "week")],
        status=200,
    ),
    Bad("leap-2028", "dashboard", [("date_from", "2028-02-29"), ("date_to", "2028-02-29")], status=200),
    Bad(
        "leap-2027-from",
        "dashboard",
        [("date_from", "2027-02-29"), ("date_to", "2027-03-01")],
        errors=keys("date_from"),
    ),
    Bad("leap-2027-to", "dashboard", [("date_from", "2027-02-28"), ("date_to", "2027-02-29")], errors=keys("date_to")),
    # --- agent ids ------------------------------------------------------------------------------
    Bad("agent-ids-empty", "dashboard", [*DAY, ("agent_ids[]", "")], errors=keys("agent_ids.0")),
    Bad("agent-ids-500", "dashboard", [*DAY, *[("agent_ids[]", "3")] * 500], status=200),
    Bad(
        "agent-ids-501",
        "dashboard",
        [*DAY, *[("agent_ids[]", str(i)) for i in range(501)]],
        body={"message": INVALID, "errors": TOO_MANY},
    ),
    Bad(
        "agent-ids-5000-compact",
        "funnel",
        f"{urlencode(DAY)}&agent_ids={','.join(['3'] * 5000)}",
        body={"message": INVALID, "errors": TOO_MANY},
    ),
    # 10,000 ids cannot fit in 16 KiB (at least "3," each): the local server answers 414 first.
    Bad("agent-ids-10000", "dashboard", [*DAY, *[("agent_ids[]", "3")] * 10_000], status=414, body=URI_TOO_LONG),
    Bad(
        "agent-ids-10000-compact",
        "dashboard",
        [*DAY, ("agent_ids", ",".join(["3"] * 10_000))],
        status=414,
        body=URI_TOO_LONG,
    ),
    Bad(
        "agent-ids-mixed-bad",
        "dashboard",
        [*DAY, ("agent_ids[]", "3"), ("agent_ids[]", "x"), ("agent_ids[]", "424242")],
        errors=keys("agent_ids.1", "agent_ids.2"),
    ),
    # --- ids: huge, negative, unicode, repeated, empty -------------------------------------------
    Bad("campaign-huge", "dashboard", [*DAY, ("campaign_id", "9" * 40)], errors=keys("campaign_id")),
    Bad("campaign-negative", "dashboard", [*DAY, ("campaign_id", "-43")], errors=keys("campaign_id")),
    Bad("campaign-arabic-digits", "dashboard", [*DAY, ("campaign_id", "٤٣")], errors=keys("campaign_id")),
    Bad(
        "campaign-repeated",
        "dashboard",
        [*DAY, ("campaign_id", "43"), ("campaign_id", "44")],
        errors=keys("campaign_id"),
    ),
    Bad("campaign-empty-is-absent", "dashboard", [*DAY, ("campaign_id", ""), ("team_id", "")], status=200),
    Bad("empty-keys-ignored", "dashboard", "date_from=2026-06-01&&=&=x&date_to=2026-06-01&&", status=200),
    Bad("tz-unicode", "dashboard", [*DAY, ("timezone", "Asia/Hồ_Chí_Minh")], errors=keys("timezone")),
    Bad("tz-nul", "dashboard", [*DAY, ("timezone", "UTC\x00")], errors=keys("timezone")),
    Bad(
        "all-fields-at-once",
        "time-series",
        [
            ("date_from", "x"),
            ("campaign_id", "a"),
            ("team_id", "-1"),
            ("agent_ids[]", ""),
            ("timezone", "Mars/Base"),
            ("format", "pdf"),
            ("group_by", "month"),
        ],
        errors=keys("date_from", "date_to", "campaign_id", "team_id", "agent_ids.0", "timezone", "format", "group_by"),
    ),
    # --- format -----------------------------------------------------------------------------------
    Bad("format-uppercase", "dashboard", [*DAY, ("format", "XLSX")], errors=keys("format")),
    Bad("format-repeated", "dashboard", [*DAY, ("format", "csv"), ("format", "xlsx")], errors=keys("format")),
    Bad("export-without-format", "funnel/export", DAY, errors=keys("format")),
    Bad("export-format-json", "funnel/export", [*DAY, ("format", "json")], errors=keys("format")),
    # --- methods and routes -----------------------------------------------------------------------
    *[
        Bad(f"method-{method.lower()}", "dashboard", DAY, method=method, status=404, body=NOT_FOUND)
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
    ],
    Bad("method-post-export", "funnel/export", [*DAY, ("format", "csv")], method="POST", status=404, body=NOT_FOUND),
    Bad("unknown-report", "nope", DAY, status=404, body=NOT_FOUND),
    Bad("unknown-export", "nope/export", [*DAY, ("format", "csv")], status=404, body=NOT_FOUND),
    # docs/api-reference.md §5: abandon-rate has no file and answers 422 on `format`, on either route,
    # with its own fields' errors
    Bad(
        "abandon-rate-export", "abandon-rate/export", [("campaign_id", "43"), ("format", "csv")], errors=keys("format")
    ),
    Bad("abandon-rate-export-no-format", "abandon-rate/export", [("campaign_id", "43")], errors=keys("format")),
    Bad(
        "abandon-rate-export-json",
        "abandon-rate/export",
        [("campaign_id", "43"), ("format", "json")],
        errors=keys("format"),
    ),
    Bad(
        "abandon-rate-export-and-campaign",
        "abandon-rate/export",
        [("format", "xlsx")],
        errors=keys("format", "campaign_id"),
    ),
    Bad("abandon-rate-csv", "abandon-rate", [("campaign_id", "43"), ("format", "csv")], errors=keys("format")),
    # an export answers every failing field at once, `format` included
    Bad(
        "export-no-format-and-bad-date",
        "dashboard/export",
        [("date_from", "x"), ("date_to", "2026-06-01")],
        errors=keys("date_from", "format"),
    ),
    Bad(
        "export-json-and-bad-timezone",
        "funnel/export",
        [*DAY, ("format", "json"), ("timezone", "Mars/Base")],
        errors=keys("format", "timezone"),
    ),
    # a `+` typed raw arrives as a space; the offset still counts (2026-06-01 07:00+07:00 is 00:00 UTC)
    Bad(
        "raw-plus-offset",
        "dashboard",
        "date_from=2026-06-01T07:00:00+07:00&date_to=2026-06-02T06:59:59+07:00",
        status=200,
    ),
    Bad("dot-dot-path", "/api/telesales/reports/../../../etc/passwd", status=404, body=NOT_FOUND),
    Bad("other-api", "/api/telesales/other", DAY, status=404, body=NOT_FOUND),
    Bad("trailing-slash", "dashboard/", DAY, status=404, body=NOT_FOUND),
    # --- oversized ----------------------------------------------------------------------------------
    Bad("query-over-16KiB", "dashboard", [*DAY, ("pad", "a" * 16_500)], status=414, body=URI_TOO_LONG),
    Bad("query-over-64KiB", "dashboard", [*DAY, ("pad", "a" * 70_000)], status=414, body=URI_TOO_LONG),
    Bad("query-just-under-16KiB", "dashboard", [*DAY, ("pad", "a" * 16_000)], status=200),
    # --- authentication ------------------------------------------------------------------------------
    *[
        Bad(f"auth-{kind}", "dashboard", DAY, auth=kind, status=401, body=UNAUTHENTICATED)
        for kind in (
            "none",
            "basic",
            "bearer-empty",
            "garbage",
            "expired",
            "no-exp",
            "other-secret",
            "alg-none",
            "tenant-abc",
            "tenant-1.5",
            "tenant-list",
            "tenant-true",
            "tenant-zero",
            "tenant-negative",
            "tenant-huge",
            "tenant-sql",
            "no-tenant",
        )
    ],
    Bad("auth-before-route", "nope", DAY, auth="none", status=401, body=UNAUTHENTICATED),
    # --- tenant smuggling: ignored, so tenant 2's campaign stays unknown to tenant 1 --------------
    Bad(
        "tenant-query-param", "dashboard", [*DAY, ("tenant_id", "2"), ("campaign_id", "90")], errors=keys("campaign_id")
    ),
    Bad(
        "tenant-header",
        "dashboard",
        [*DAY, ("campaign_id", "90")],
        headers=(("X-Tenant-Id", "2"),),
        errors=keys("campaign_id"),
    ),
    Bad(
        "tenant-query-array", "abandon-rate", [("tenant_id[]", "2"), ("campaign_id", "90")], errors=keys("campaign_id")
    ),
    # --- abandon-rate -------------------------------------------------------------------------------
    Bad(
        "abandon-window-0",
        "abandon-rate",
        [("campaign_id", "43"), ("window_minutes", "0")],
        errors=keys("window_minutes"),
    ),
    Bad(
        "abandon-window-129601",
        "abandon-rate",
        [("campaign_id", "43"), ("window_minutes", "129601")],
        errors=keys("window_minutes"),
    ),
    Bad(
        "abandon-window-abc",
        "abandon-rate",
        [("campaign_id", "43"), ("window_minutes", "abc")],
        errors=keys("window_minutes"),
    ),
    Bad("abandon-window-129600", "abandon-rate", [("campaign_id", "43"), ("window_minutes", "129600")], status=200),
    Bad("abandon-no-campaign", "abandon-rate", [("window_minutes", "0")], errors=keys("campaign_id", "window_minutes")),
    Bad("abandon-csv", "abandon-rate", [("campaign_id", "43"), ("format", "csv")], errors=keys("format")),
]


@pytest.mark.parametrize("bad", CATALOGUE, ids=[bad.id for bad in CATALOGUE])
def test_bad_input(live, bad: Bad):
    headers = {**authorization(bad.auth, live), **dict(bad.headers)}
    reply = send(live, bad.target(), method=bad.method, headers=headers)
    assert reply.status == bad.status, (reply.status, reply.text[:500])
    assert not contract_problems(reply.status, reply.content_type, reply.body), reply.text[:500]
    assert not LEAK_RE.search(reply.text)
    if not reply.content_type.startswith("application/vnd.openxmlformats"):
        for needle in ("Traceback", "psycopg", "SELECT", "select ", "/work/", "site-packages", '.py"'):
            assert needle not in reply.text, needle
    if bad.body is not None:
        assert reply.json() == bad.body
    elif bad.status == 422:
        body = reply.json()
        assert body["message"] == INVALID
        assert set(body["errors"]) == bad.errors, body
    if bad.status == 200 and reply.content_type.startswith("application/json"):
        assert "data" in reply.json()


def test_catalogue_is_large_and_unique():
    assert len(CATALOGUE) >= 40
    assert len({bad.id for bad in CATALOGUE}) == len(CATALOGUE)


def test_tables_survive_the_injections(live):
    """Run after the catalogue: tenant 1's day of 2026-06-01 still has its 8 dials."""
    for bad in CATALOGUE[: len(SQLI) + 3]:
        send(live, bad.target(), headers=authorization("tenant1", live))
    reply = send(live, f"dashboard?{urlencode(DAY)}", headers=authorization("tenant1", live))
    assert reply.status == 200
    assert reply.json()["data"]["total_dials"] == 8


@pytest.mark.parametrize(
    ("name", "request_bytes", "status", "body"),
    [
        # http.server cannot tell the version of a broken request line: it answers HTTP/0.9-style, body only.
        ("garbage-request-line", b"GET / HTTP/1.1 junk\r\n\r\n", 0, BAD_REQUEST),
        ("bad-http-version", b"GET {path} HTTX/1.1\r\n{auth}\r\n", 0, BAD_REQUEST),
        (
            "bad-content-length",
            b"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n{auth}\r\n",
            400,
            BAD_REQUEST,
        ),
        (
            "negative-content-length",
            b"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n{auth}\r\n",
            400,
            BAD_REQUEST,
        ),
        (
            "too-many-headers",
            b"GET {path} HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 150 + b"{auth}\r\n",
            431,
            {"message": "Request Header Fields Too Large."},
        ),
        ("made-up-method", b"BREW {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\r\n", 404, NOT_FOUND),
        (
            "non-utf8-query",
            b"GET {path}&timezone=%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\r\n",
            422,
            None,
        ),
    ],
)
def test_malformed_http(live, name, request_bytes, status, body):
    path = f"/api/telesales/reports/dashboard?{urlencode(DAY)}".encode()
    auth = f"Authorization: Bearer {live.token1}\r\n".encode()
    reply = send_raw(live, request_bytes.replace(b"{path}", path).replace(b"{auth}", auth))
    assert reply.status == status, reply.body[:300]
    if status:
        assert not contract_problems(reply.status, reply.content_type, reply.body), reply.body[:300]
    if body is not None:
        assert reply.json() == body
    else:
        assert set(reply.json()["errors"]) == {"timezone"}


@pytest.mark.parametrize("path", ["/favicon.ico", "/robots.txt", "/nope/index.html", "/package.json"])
def test_outside_the_api_a_missing_file_is_not_found_without_a_token(live, path):
    """Only the console's files live outside /api/: anything else there is a 404, never a 401."""
    reply = requests.get(f"{live.root}{path}", timeout=30)
    assert (reply.status_code, reply.json()) == (404, NOT_FOUND)
