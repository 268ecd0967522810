"""Fuzz every operation of the served OpenAPI document (schemathesis) plus hand-picked hostile input.

Checks: no 5xx; every 4xx is one of the contract's bodies (422 `{"message", "errors"}`, 401/404
`{"message"}`); 2xx JSON conforms to the document's response schema; no internal detail leaks.
`FUZZ_EXAMPLES` (default 25 per operation) and `FUZZ_SEED` widen a run (scripts/fuzz.sh).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from telesales_reports.api.handler import openapi_json
from telesales_reports.db import connection as db
from tests.reliability.conftest import ALL_REPORTS, BASE_PATH, REPORTS, contract_problems
from tests.support import api_url

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20260601"))
TIMEOUT = 30


# The document the handler serves at /openapi.json (test_served_document_is_the_fuzzed_one checks
# that the live server answers exactly this document). It is loaded at import time because the
# lazy `schemathesis.pytest.from_fixture` loader does not work with pytest 9.2 (it sets Node._nodeid).
schema = schemathesis.openapi.from_dict(
    json.loads(openapi_json()),
    config=schemathesis.Config.from_dict(
        {
            "seed": FUZZ_SEED,
            "request-timeout": TIMEOUT,
            "generation": {"max-examples": FUZZ_EXAMPLES, "mode": "all"},
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        }
    ),
)


SEEN: Counter = Counter()


@pytest.fixture(scope="module")
def fuzzed(live_api):
    """The live API with the handler pointed at the contract database (module scope: hypothesis reruns)."""
    db.reset(api_url(live_api.database_url))
    yield live_api
    print(f"\nfuzz requests by (test, path, status): {len(SEEN)} kinds, {sum(SEEN.values())} requests")
    for (test, path, status), count in sorted(SEEN.items()):
        print(f"  {test:9} {status} {count:6}  {path}")


@schemathesis.check
def contract_bodies(ctx, response, case) -> None:
    """docs/api-reference.md §1: error bodies in the contract's shapes, no internal detail anywhere."""
    problems = contract_problems(response.status_code, response.headers.get("content-type", [""])[0], response.content)
    assert not problems, problems


@schemathesis.check
def documented_status(ctx, response, case):
    """status_code_conformance, except the local server's own 414 for a URL over 16 KiB (DECISIONLOG 9):
    API Gateway has its own limit in AWS, so the document does not list it."""
    if response.status_code == 414:
        return None
    return status_code_conformance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    documented_status,
    content_type_conformance,
    response_schema_conformance,
    contract_bodies,
]


def test_served_document_is_the_fuzzed_one(live_api):
    response = requests.get(f"{live_api.base}/openapi.json", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == json.loads(openapi_json())
    paths = set(response.json()["paths"])
    expected = {f"{BASE_PATH}/{report}" for report in ALL_REPORTS} | {f"{BASE_PATH}/{{report}}/export"}
    assert expected | {f"{BASE_PATH}/filters"} == paths


@schema.parametrize()
def test_every_operation(case, fuzzed):
    response = case.call(base_url=fuzzed.root, headers=fuzzed.auth(1), timeout=TIMEOUT)
    SEEN["schema", case.operation.path.removeprefix(BASE_PATH), response.status_code] += 1
    case.validate_response(response, checks=CHECKS, headers=fuzzed.auth(1))


# Hand-picked hostile values: schemathesis explores the schema; these go where it rarely does.
BAD_DATES = [
    "0000-00-00",
    "2027-02-29",
    "2026-13-01",
    "2026-06-01T24:00",
    "2026-06-01T23:59:60",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-12:00",
    "2026-06-01T00:00:00+99:99",
    "2026-W23-1",
    "2026-152",
    "20260601",
    "2026-06-01T00:00:00.1234567",
    "１９９９-０１-０１",
    "2026-06-01\x00",
    "2026-06-01'--",
]
IDS = [
    "-1",
    "0",
    "+43",
    " 43 ",
    "43.0",
    "1e3",
    "0x2b",
    "٤٣",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 400,
    "43,44",
    "43\x00",
    "43 or 1=1",
]
WORDS = [
    "",
    " ",
    "UTC",
    "Asia/Ho_Chi_Minh",
    "asia/HO_CHI_MINH",
    "../../etc/passwd",
    "Asia/Hồ_Chí_Minh",
    "\u202eCTU",
    "😀" * 50,
    "%00",
    "%",
    "json",
    "csv",
    "xlsx",
    "XLSX",
    "day",
    "week",
    "hour",
    "month",
    "null",
    "[]",
    "{}",
    "' OR 1=1 --",
    "1; select pg_sleep(5); --",
]
KEYS = [
    "date_from",
    "date_to",
    "campaign_id",
    "team_id",
    "agent_ids[]",
    "agent_ids",
    "agent_ids[7]",
    "agent_ids[x]",
    "timezone",
    "format",
    "group_by",
    "window_minutes",
    "tenant_id",
    "",
    "date_from[]",
    "ＤＡＴＥ_FROM",
]
PATHS = [f"{BASE_PATH}/{report}" for report in (*ALL_REPORTS, "filters")] + [
    f"{BASE_PATH}/{report}/export" for report in (*REPORTS, "abandon-rate", "nope")
]
VALUES = st.one_of(
    st.sampled_from(BAD_DATES + IDS + WORDS),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
PAIRS = st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=10)
VALID_WINDOW = st.sampled_from(
    [
        [],
        [("date_from", "2026-06-01"), ("date_to", "2026-06-01")],
        [("date_from", "2026-03-03T07:00:00+07:00"), ("date_to", "2026-06-01T00:00:00Z")],
        [("campaign_id", "43")],
    ]
)
MANY_AGENTS = st.one_of(
    st.just([]),
    st.integers(min_value=400, max_value=1200).map(lambda n: [("agent_ids[]", str(i % 7)) for i in range(n)]),
    st.integers(min_value=501, max_value=8000).map(lambda n: [("agent_ids", ",".join("3" for _ in range(n)))]),
)


@settings(
    max_examples=FUZZ_EXAMPLES * 8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(path=st.sampled_from(PATHS), window=VALID_WINDOW, pairs=PAIRS, agents=MANY_AGENTS, data=st.data())
def test_hostile_query_strings(fuzzed, path, window, pairs, agents, data):
    items = list(window) + list(pairs) + list(agents)
    order = data.draw(st.permutations(range(len(items)))) if len(items) < 40 else range(len(items))
    query = urlencode([items[i] for i in order], doseq=False)
    url = f"{fuzzed.base}{path.removeprefix(BASE_PATH)}?{query}"
    response = requests.get(url, headers=fuzzed.auth(1), timeout=TIMEOUT)
    SEEN["hostile", path.removeprefix(BASE_PATH), response.status_code] += 1
    problems = contract_problems(response.status_code, response.headers.get("Content-Type", ""), response.content)
    assert not problems, (url[:500], response.status_code, response.text[:500])
    expected = {200, 404, 422} if len(url) - len(fuzzed.root) <= 16384 else {414}
    assert response.status_code in expected, (url[:500], response.status_code, response.text[:300])


ZONES = [
    "UTC",
    "asia/ho_chi_minh",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "Asia/Kathmandu",
    "America/St_Johns",
    "America/New_York",
    "Australia/Lord_Howe",
]
OFFSETS = ["", "Z", "+00:00", "+07:00", "-12:00", "+14:00", "+05:45", "+0530", "-03"]


@st.composite
def odd_valid_windows(draw) -> list[tuple[str, str]]:
    """A valid window anywhere from year 1 to 9998, any offset, any zone: the reports must answer 200."""
    start = draw(st.datetimes(min_value=datetime(1, 1, 3), max_value=datetime(9998, 12, 1)))
    length = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)))
    end = start + length
    offset = draw(st.sampled_from(OFFSETS))
    as_date = draw(st.booleans())

    def text(moment: datetime) -> str:
        return moment.date().isoformat() if as_date else moment.isoformat(timespec="seconds") + offset

    # Both ends carry the same offset, so "as parsed" the range is `length` (dates: whole days <= 90).
    pairs = [("date_from", text(start)), ("date_to", text(end))]
    pairs.append(("timezone", draw(st.sampled_from(ZONES))))
    if draw(st.booleans()):
        pairs.append(("group_by", draw(st.sampled_from(["day", "week", "hour"]))))
    return pairs


@settings(max_examples=FUZZ_EXAMPLES * 4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=st.sampled_from(REPORTS), window=odd_valid_windows(), fmt=st.sampled_from(["json", "csv", "xlsx"]))
def test_odd_but_valid_windows_answer(fuzzed, report, window, fmt):
    query = urlencode([*window, ("format", fmt)])
    response = requests.get(f"{fuzzed.base}/{report}?{query}", headers=fuzzed.auth(1), timeout=TIMEOUT)
    SEEN["odd-valid", f"/{report}", response.status_code] += 1
    problems = contract_problems(response.status_code, response.headers.get("Content-Type", ""), response.content)
    assert not problems, (query, response.status_code, response.text[:500])
    assert response.status_code == 200, (query, response.status_code, response.text[:500])
