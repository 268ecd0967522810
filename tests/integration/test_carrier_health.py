"""docs/api-reference.md §6.4: carrier-health, caller-ID health rolled up by carrier, on the contract fixture.

Expected numbers are worked out by hand from tests/contract_data.py; the invariant with caller-id-health
(sums and status counts) is checked for several requests, also with a non-default short-call threshold.
"""

from __future__ import annotations

from collections import Counter

import pytest

from telesales_reports.settings import get_settings
from tests.support import data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
HEALTH_DAY = {"date_from": "2026-06-03", "date_to": "2026-06-03"}
STATUSES = ("healthy", "warning", "suspected_block", "no_data")


def test_carrier_health_on_the_contract_day(api):
    assert data("carrier-health", DAY) == [
        # 0900000001 (calls 1 and 2, talk 100) and the four idle viettel numbers 04-07
        {"carrier": "viettel", "caller_ids": 5, "total_calls": 2, "answered_calls": 2, "asr_pct": 100.0,
         "acd_sec": 50, "short_call_ratio_pct": 0.0, "rejected_ratio_pct": 0.0,
         "healthy": 0, "warning": 0, "suspected_block": 0, "no_data": 5},
        # 0900000002: call 9, connected with 9 s of talk (a short call)
        {"carrier": "mobifone", "caller_ids": 1, "total_calls": 1, "answered_calls": 1, "asr_pct": 100.0,
         "acd_sec": 9, "short_call_ratio_pct": 100.0, "rejected_ratio_pct": 0.0,
         "healthy": 0, "warning": 0, "suspected_block": 0, "no_data": 1},
        # 0900000003 made no dial in the window: a zero row, still listed
        {"carrier": "landline", "caller_ids": 1, "total_calls": 0, "answered_calls": 0, "asr_pct": 0.0,
         "acd_sec": 0, "short_call_ratio_pct": 0.0, "rejected_ratio_pct": 0.0,
         "healthy": 0, "warning": 0, "suspected_block": 0, "no_data": 1},
    ]  # fmt: skip


def test_carrier_health_status_counts_and_rounding(api):
    rows = data("carrier-health", HEALTH_DAY)
    # 76 viettel dials (16 + 20 + 20 + 20), 16 answered with 60 s each; ties at 0 calls by carrier, code points.
    assert [r["carrier"] for r in rows] == ["viettel", "landline", "mobifone"]
    assert rows[0] == {
        "carrier": "viettel", "caller_ids": 5, "total_calls": 76, "answered_calls": 16,
        "asr_pct": 21.1,  # 16 / 76 = 21.05... -> 21.1
        "acd_sec": 60, "short_call_ratio_pct": 0.0,
        "rejected_ratio_pct": 25.0,  # 19 / 76
        "healthy": 1,  # 06: ASR 50 %
        "warning": 1,  # 07: ASR 20 %
        "suspected_block": 1,  # 05: rejected 95 %
        "no_data": 2,  # 01: no dials that day; 04: 16 dials < 20
    }  # fmt: skip


def invariant_holds(params, tenant=1) -> None:
    carriers = data("carrier-health", params, tenant)
    cids = data("caller-id-health", params, tenant)
    assert sum(c["caller_ids"] for c in carriers) == len(cids)
    assert sum(c["total_calls"] for c in carriers) == sum(r["total_calls"] for r in cids)
    assert sum(c["answered_calls"] for c in carriers) == sum(r["answered_calls"] for r in cids)
    counts = Counter(r["health_status"] for r in cids)
    assert {s: sum(c[s] for c in carriers) for s in STATUSES} == {s: counts[s] for s in STATUSES}
    for carrier in carriers:
        mine = [r for r in cids if r["carrier"] == carrier["carrier"]]
        assert carrier["caller_ids"] == len(mine)
        assert carrier["total_calls"] == sum(r["total_calls"] for r in mine)


@pytest.mark.parametrize(
    "params",
    [
        DAY,
        HEALTH_DAY,
        {"date_from": "2026-06-01", "date_to": "2026-06-03", "campaign_id": "44"},
        {"date_from": "2026-06-01", "date_to": "2026-06-03", "agent_ids[]": "3"},
        {"date_from": "2026-06-01T09:03:00Z", "date_to": "2026-06-03T03:10:00Z", "team_id": "7"},
    ],
)
def test_sums_and_status_counts_equal_caller_id_health(api, params):
    invariant_holds(params)


def test_same_thresholds_as_caller_id_health(api, monkeypatch):
    # A 61 s short-call threshold makes every 60 s call short, and a 15 % ASR warning line moves 07 (20 %)
    # to healthy; carrier-health follows caller-id-health exactly (both read the settings).
    monkeypatch.setenv("TELESALES_SHORT_CALL_THRESHOLD_SEC", "61")
    monkeypatch.setenv("TELESALES_HEALTH_WARNING_ASR_PCT", "15")
    get_settings.cache_clear()
    try:
        invariant_holds(HEALTH_DAY)
        viettel = data("carrier-health", HEALTH_DAY)[0]
        assert viettel["short_call_ratio_pct"] == 21.1  # the 16 answered calls are all short now
        assert (viettel["healthy"], viettel["warning"]) == (1, 0)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_other_tenant_sees_only_its_pool(api):
    assert data("carrier-health", DAY, tenant=2) == [
        {"carrier": "viettel", "caller_ids": 1, "total_calls": 3, "answered_calls": 3, "asr_pct": 100.0,
         "acd_sec": 200, "short_call_ratio_pct": 0.0, "rejected_ratio_pct": 0.0,
         "healthy": 0, "warning": 0, "suspected_block": 0, "no_data": 1},
    ]  # fmt: skip
