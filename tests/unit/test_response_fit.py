"""The 6 MB guard (DECISIONLOG 53) decides exactly as the serialized response's size, whether it
measures the body or bounds it (6 bytes per character at most)."""

from __future__ import annotations

import pytest

from telesales_reports.api.response_size import _fits, _size
from telesales_reports.exports.storage import LAMBDA_RESPONSE_LIMIT


def response(body: str) -> dict:
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "text/csv"},
        "body": body,
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize("char", ["a", "\x1f", '"', "ệ", "😀"])
@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 2])
def test_the_guard_agrees_with_the_serialized_size_at_the_limit(char, offset):
    # a body of one character whose serialized size crosses the limit at `offset` characters
    envelope = _size(response(""))
    per_char = _size(response(char * 100)) - envelope
    count = (LAMBDA_RESPONSE_LIMIT - envelope) * 100 // per_char + offset
    candidate = response(char * count)
    assert _fits(candidate) == (_size(candidate) <= LAMBDA_RESPONSE_LIMIT)


def test_a_small_body_fits_without_measuring_it():
    assert _fits(response("x" * 1000))
    assert not _fits(response("x" * (LAMBDA_RESPONSE_LIMIT + 1)))
