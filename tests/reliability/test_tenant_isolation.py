"""Tenant isolation over real HTTP (docs/api-reference.md §1, "Tenancy" and "Ids").

The contract fixture has tenants 1 and 2 with the same disposition codes and caller IDs; their
campaign, team and agent ids are global primary keys, so they differ. Another tenant's id must be
answered exactly like an id that exists nowhere, every number must come from the caller's rows,
and the tenant comes only from a verified token.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import openpyxl
import pytest

from tests.reliability.conftest import (
    DROP,
    INVALID,
    REPORTS,
    Reply,
    contract_problems,
    forge_token,
    send,
)

DAY = [("date_from", "2026-06-01"), ("date_to", "2026-06-01")]
WEEK = [("date_from", "2026-06-01"), ("date_to", "2026-06-07")]
NOWHERE = 987654321  # an id no tenant has
OWN = {
    1: {"campaign_id": "43", "team_id": "7", "agent_ids[]": "3"},
    2: {"campaign_id": "90", "team_id": "70", "agent_ids[]": "50"},
}
OTHER = {1: 2, 2: 1}
# Text that only one tenant's rows hold (names, labels, colours of the same codes and caller IDs).
ONLY = {
    1: ["Sales Line 1", "Sale Success", "Nguyễn Văn A", "agent01", "Trần Thị B", "#10B981", "Team Hà Nội"],
    2: ["T2 line", "Bán", "Agent Năm", "t2agent", "#000000", "T2 team", "Tenant two"],
}
ENDPOINTS = [f"{report}" for report in REPORTS] + [
    f"{report}/export?format={fmt}" for report in REPORTS for fmt in ("csv", "xlsx")
]


def get(live, tenant: int, target: str, params: list[tuple[str, str]], headers: dict | None = None) -> Reply:
    separator = "&" if "?" in target else "?"
    return send(
        live,
        f"{target}{separator}{urlencode(params)}",
        headers={"Authorization": f"Bearer {live.token(tenant)}", **(headers or {})},
    )


def body_text(reply: Reply) -> str:
    """Everything a client could read in a reply: JSON/CSV text, or every cell of an XLSX file."""
    if reply.content_type.startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(reply.body), read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    return reply.text


@pytest.mark.parametrize("tenant", [1, 2])
@pytest.mark.parametrize("key", ["campaign_id", "team_id", "agent_ids[]"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_tenants_id_is_an_unknown_id(live, endpoint, key, tenant):
    foreign = get(live, tenant, endpoint, [*DAY, (key, OWN[OTHER[tenant]][key])])
    unknown = get(live, tenant, endpoint, [*DAY, (key, str(NOWHERE))])
    error_key = "agent_ids.0" if key == "agent_ids[]" else key
    assert foreign.status == unknown.status == 422, (foreign.text, unknown.text)
    assert foreign.json() == unknown.json()  # same key, same message: no hint that it exists elsewhere
    assert foreign.json()["message"] == INVALID
    assert list(foreign.json()["errors"]) == [error_key]


@pytest.mark.parametrize("tenant", [1, 2])
def test_abandon_rate_other_tenants_campaign_is_unknown(live, tenant):
    foreign = get(live, tenant, "abandon-rate", [("campaign_id", OWN[OTHER[tenant]]["campaign_id"])])
    unknown = get(live, tenant, "abandon-rate", [("campaign_id", str(NOWHERE))])
    assert foreign.status == unknown.status == 422
    assert foreign.json() == unknown.json()
    assert list(foreign.json()["errors"]) == ["campaign_id"]


@pytest.mark.parametrize("tenant", [1, 2])
def test_other_tenants_ids_all_at_once(live, tenant):
    other = OWN[OTHER[tenant]]
    params = [*DAY, *other.items(), ("agent_ids[]", str(NOWHERE))]
    reply = get(live, tenant, "dashboard", params)
    assert reply.status == 422
    assert reply.json()["errors"] == {
        "campaign_id": ["The selected campaign id is invalid."],
        "team_id": ["The selected team id is invalid."],
        "agent_ids.0": ["The selected agent_ids.0 is invalid."],
        "agent_ids.1": ["The selected agent_ids.1 is invalid."],
    }


@pytest.mark.parametrize("tenant", [1, 2])
@pytest.mark.parametrize("with_filters", [False, True], ids=["no-filter", "own-filters"])
@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "abandon-rate"])
def test_own_rows_only(live, endpoint, with_filters, tenant):
    if endpoint == "abandon-rate":
        params = [("campaign_id", OWN[tenant]["campaign_id"])]
    else:
        params = [*WEEK, *(OWN[tenant].items() if with_filters else [])]
    reply = get(live, tenant, endpoint, params)
    assert reply.status == 200, reply.text[:300]
    assert not contract_problems(reply.status, reply.content_type, reply.body)
    text = body_text(reply)
    leaked = [value for value in ONLY[OTHER[tenant]] if value in text]
    assert not leaked, (endpoint, leaked)


def test_tenant_2_dashboard_totals(live):
    data = get(live, 2, "dashboard", DAY).json()["data"]
    assert data["total_dials"] == 4
    assert data["total_conversions"] == 0  # "sale" is not a conversion code in tenant 2
    assert data["total_answers"] == 4
    assert data["total_talk_time_sec"] == "650"
    own = get(live, 2, "dashboard", [*DAY, *OWN[2].items()]).json()["data"]
    assert own["total_dials"] == 3  # call 910 is agent 3's (an id of tenant 1), outside agent 50's filter


def test_tenant_1_dashboard_is_not_mixed_with_tenant_2(live):
    data = get(live, 1, "dashboard", DAY).json()["data"]
    assert data["total_dials"] == 8
    assert data["total_conversions"] == 2


def test_caller_id_health_stays_in_tenant(live):
    one = get(live, 1, "caller-id-health", DAY).json()["data"]
    assert {item["cid"] for item in one} == {f"090000000{i}" for i in range(1, 8)}
    line = next(item for item in one if item["cid"] == "0900000001")
    assert line["display_name"] == "Sales Line 1"
    assert line["total_calls"] == 2  # tenant 1's calls 1 and 2; tenant 2's three calls on the same cid do not count
    assert all(item["display_name"] != "T2 line" for item in one)
    two = get(live, 2, "caller-id-health", DAY).json()["data"]
    assert [(item["cid"], item["display_name"], item["total_calls"]) for item in two] == [("0900000001", "T2 line", 3)]


def test_lookups_stay_in_tenant(live):
    agents = {item["agent_id"]: item for item in get(live, 2, "agent-performance", DAY).json()["data"]}
    assert agents[50]["name"] == "Agent Năm"
    # Tenant 2's call 910 carries agent id 3, which is a user of tenant 1 only: no name leaks across.
    assert (agents[3]["name"], agents[3]["username"]) == ("(unknown)", "")
    codes = get(live, 2, "disposition-breakdown", DAY).json()["data"]
    assert [(c["code"], c["label"], c["color"], c["count"]) for c in codes] == [("sale", "Bán", "#000000", 3)]
    funnel = get(live, 2, "funnel", DAY).json()["data"]
    assert funnel[0] == {"stage": "Total leads", "count": 1}
    current = get(live, 2, "abandon-rate", [("campaign_id", "90")]).json()["data"]["current"]
    assert (current["tenant_id"], current["campaign_name"]) == (2, "Tenant two")


def test_export_numbers_are_the_tenants_own(live):
    csv_text = get(live, 2, "dashboard/export?format=csv", DAY).text.lstrip("\ufeff")
    header, row = csv_text.splitlines()[:2]
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["total_dials"] == "4"
    assert values["total_conversions"] == "0"


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("other-secret-tenant-2", lambda: forge_token(secret="forged-" + "k" * 40, tenant_id=2)),
        ("other-secret-tenant-1", lambda: forge_token(secret="forged-" + "k" * 40, tenant_id=1)),
        ("unsigned-tenant-2", lambda: forge_token(algorithm="none", tenant_id=2)),
        ("missing-claim", lambda: forge_token(tenant_id=DROP)),
        ("null-claim", lambda: forge_token(tenant_id=None)),
        ("empty-claim", lambda: forge_token(tenant_id="")),
        ("tampered-payload", None),
    ],
)
def test_forged_or_missing_claims_are_401(live, name, token):
    if token is None:  # a real tenant-1 token whose payload was edited to say tenant 2, signature kept
        import base64
        import json

        head, payload, signature = live.token1.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["tenant_id"] = 2
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        value = f"{head}.{payload}.{signature}"
    else:
        value = token()
    for endpoint in ("dashboard", "abandon-rate", "funnel/export"):
        reply = send(
            live, f"{endpoint}?{urlencode(DAY)}&campaign_id=90&format=csv", headers={"Authorization": f"Bearer {value}"}
        )
        assert (reply.status, reply.json()) == (401, {"message": "Unauthenticated."}), (endpoint, reply.text)


@pytest.mark.parametrize("tenant", [1, 2])
def test_tenant_id_parameter_and_header_are_ignored(live, tenant):
    other = str(OTHER[tenant])
    baseline = get(live, tenant, "dashboard", DAY).json()
    smuggled = [
        get(live, tenant, "dashboard", [*DAY, ("tenant_id", other)]),
        get(live, tenant, "dashboard", [("tenant_id", other), *DAY, ("tenant_id", other)]),
        get(live, tenant, "dashboard", DAY, headers={"X-Tenant-Id": other}),
        get(live, tenant, "dashboard", DAY, headers={"Tenant-Id": other, "X-Amzn-Tenant-Id": other}),
    ]
    for reply in smuggled:
        assert reply.status == 200
        assert reply.json() == baseline
    # ... and the other tenant's campaign stays unknown however the tenant is "claimed".
    foreign = OWN[OTHER[tenant]]["campaign_id"]
    reply = get(
        live,
        tenant,
        "dashboard",
        [*DAY, ("campaign_id", foreign), ("tenant_id", other)],
        headers={"X-Tenant-Id": other},
    )
    assert reply.status == 422
    assert list(reply.json()["errors"]) == ["campaign_id"]


def test_concurrent_requests_do_not_mix_tenants(live):
    """The local server is threaded; the handler's resolver keeps the current event in shared state.
    Concurrent requests of two tenants (and different filters) must each get their own answer."""
    from concurrent.futures import ThreadPoolExecutor

    cases = [
        (1, "dashboard", DAY),
        (2, "dashboard", DAY),
        (1, "dashboard", [*DAY, ("campaign_id", "44")]),
        (2, "dashboard", [*DAY, ("agent_ids[]", "50")]),
        (1, "funnel/export?format=csv", DAY),
        (2, "caller-id-health", DAY),
        (1, "disposition-breakdown/export?format=csv", DAY),
        (2, "disposition-breakdown/export?format=csv", DAY),
    ]
    expected = [get(live, tenant, endpoint, params).body for tenant, endpoint, params in cases]
    jobs = [i % len(cases) for i in range(240)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda i: get(live, cases[i][0], cases[i][1], cases[i][2]), jobs))
    mixed = [
        (cases[i][:2], reply.status, "other tenant's body" if reply.body in expected and reply.status == 200 else "")
        for i, reply in zip(jobs, replies, strict=True)
        if reply.body != expected[i]
    ]
    assert not mixed, f"{len(mixed)} of {len(jobs)} concurrent replies were wrong: {sorted(set(mixed))}"
