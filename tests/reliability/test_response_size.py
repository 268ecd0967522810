"""Answers past the Lambda response limit (hostile input): 60,000 distinct free-text lead sources.

lead-source-attribution has one item per source; with 60 k sources its JSON is ~9 MB, over the
6 MB a Lambda may return (API Gateway would answer 502 outside the contract). Compressed for a
client that accepts gzip it fits; otherwise the answer is the contract's 422 on `format`, and the
CSV export carries it (DECISIONLOG 53).
"""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from telesales_build.bootstrap import ensure_schema
from telesales_dev.events import LambdaContext
from telesales_reports.api.handler import lambda_handler
from telesales_reports.api.response_size import TOO_LARGE_MESSAGE, accepts_gzip
from telesales_reports.db import connection as db
from telesales_reports.exports.storage import LAMBDA_RESPONSE_LIMIT
from tests.support import Raw, api_url, build_db, event

SOURCES = 60_000
PATH = "/api/telesales/reports/lead-source-attribution"
WINDOW = {"date_from": "2026-06-01", "date_to": "2026-06-01"}


@pytest.fixture(scope="module")
def many_sources(fresh_database) -> str:
    url = fresh_database("sources")
    ensure_schema(url)
    raw = Raw()
    raw.tenant(1)
    raw.campaign(43, 1, "Partners")
    for i in range(SOURCES):
        raw.lead(1, 43, "2026-06-01 08:00", f"affiliate partner network #{i:05d} / landing page {i * 7919 % 100000}")
    raw.load(url)
    build_db(url)
    db.reset(api_url(url))
    yield url
    db.reset(None)


def invoke(path: str, params: dict, accept_encoding: str | None = None) -> dict:
    request = event(path, params)
    if accept_encoding is not None:
        request["headers"]["accept-encoding"] = accept_encoding
    return lambda_handler(request, LambdaContext())


def size(response: dict) -> int:
    return len(json.dumps(response, ensure_ascii=False).encode("utf-8"))


def test_sixty_thousand_sources_fit_compressed(many_sources):
    response = invoke(PATH, WINDOW, "gzip, deflate, br")
    assert response["statusCode"] == 200
    assert size(response) <= LAMBDA_RESPONSE_LIMIT
    assert response["isBase64Encoded"] is True
    assert response["headers"]["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(base64.b64decode(response["body"])))
    assert len(body["data"]) == SOURCES
    assert sum(item["total_leads"] for item in body["data"]) == SOURCES
    assert len(gzip.decompress(base64.b64decode(response["body"]))) > LAMBDA_RESPONSE_LIMIT  # it needed it


def test_without_gzip_the_answer_is_the_contracts_422(many_sources):
    for accept in (None, "identity", "gzip;q=0"):
        response = invoke(PATH, WINDOW, accept)
        assert size(response) <= LAMBDA_RESPONSE_LIMIT
        assert response["statusCode"] == 422, accept
        assert json.loads(response["body"]) == {
            "message": "The given data was invalid.",
            "errors": {"format": [TOO_LARGE_MESSAGE]},
        }


def test_the_csv_export_carries_them_all(many_sources):
    response = invoke(f"{PATH}/export", {**WINDOW, "format": "csv"})
    assert response["statusCode"] == 200
    assert size(response) <= LAMBDA_RESPONSE_LIMIT
    lines = base64.b64decode(response["body"]).decode("utf-8-sig").splitlines()
    assert len(lines) == SOURCES + 1


def test_small_answers_are_compressed_only_when_accepted(many_sources):
    plain = invoke("/api/telesales/reports/dashboard", WINDOW)
    assert plain["statusCode"] == 200 and not plain.get("isBase64Encoded")
    assert json.loads(plain["body"])["data"]["total_dials"] == 0
    funnel_plain = invoke("/api/telesales/reports/funnel", WINDOW)
    funnel_gzip = invoke("/api/telesales/reports/funnel", WINDOW, "br;q=1.0, gzip;q=0.8")
    if len(funnel_plain["body"]) >= 1024:
        assert json.loads(gzip.decompress(base64.b64decode(funnel_gzip["body"]))) == json.loads(funnel_plain["body"])
    else:
        assert funnel_gzip["body"] == funnel_plain["body"]


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=1.0, *;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, br", False),
        ("identity", False),
        ("", False),
        ("gzip;q=abc", False),
    ],
)
def test_accept_encoding_parsing(header: str, accepted: bool):
    assert accepts_gzip({"Accept-Encoding": header}) is accepted
