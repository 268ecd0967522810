"""docs/api-reference.md §6.3: the attempts report and fct_calls.attempt_number.

The contract fixture's numbers are worked out by hand; a dataset of its own then receives late calls,
calls moved between leads and calls that became blocked, and after an incremental build the attempt
numbers, the report and a full refresh must all agree with the reference implementation, while the
calls of untouched leads are not reloaded.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from telesales_build.bootstrap import ensure_schema
from telesales_reports.db import connection as db
from tests.contract_data import contract_rows
from tests.integration.reference import Reference, load
from tests.support import build_db, data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}


def test_attempts_on_the_contract_day(api):
    # Tenant 1's dials with a lead on 2026-06-01: leads 2, 4, 5, 6, 7 once each and lead 1 twice (calls 1
    # and 8); call 9 has no lead, calls 6 and 7 are blocked. Attempt 1: calls 1, 2, 3, 4, 5, 10.
    assert data("attempts", DAY) == [
        {
            "attempt": "1",
            "dials": 6,
            "answers": 3,  # connected 1 and 10, abandoned 2
            "answer_rate_pct": "50.00",
            "conversions": 2,  # calls 1 and 10 ("sale", answered); call 4's "sale" is unanswered
            "conversion_rate_pct": "33.33",  # per dial: 2 / 6
            "avg_talk_time_sec": "48.3",  # (100 + 5 + 40) / 3 answers
        },
        {
            "attempt": "2",
            "dials": 1,
            "answers": 1,
            "answer_rate_pct": "100.00",
            "conversions": 0,
            "conversion_rate_pct": "0.00",
            "avg_talk_time_sec": "31.0",
        },
    ]


def test_attempts_dials_equal_the_dashboards_dials_with_a_lead(api):
    # docs/api-reference.md §6.3 invariant: 8 dashboard dials, one of them (call 9) without a lead.
    assert sum(a["dials"] for a in data("attempts", DAY)) == data("dashboard", DAY)["total_dials"] - 1 == 7


def test_attempt_numbers_count_every_campaign_and_all_time_not_the_window(api):
    # Call 8 (10:15) is lead 1's second dial even when the window leaves out its first (09:00) and when
    # the campaign filter is the same: the number belongs to the call, not to the request.
    late = {"date_from": "2026-06-01T10:00:00Z", "date_to": "2026-06-01T11:00:00Z"}
    assert [(a["attempt"], a["dials"]) for a in data("attempts", late)] == [("2", 1)]
    assert [(a["attempt"], a["dials"]) for a in data("attempts", {**DAY, "agent_ids[]": "5"})] == [("2", 1)]


def test_attempts_filters_and_tenants(api):
    assert [(a["attempt"], a["dials"]) for a in data("attempts", {**DAY, "team_id": "8"})] == [("1", 2)]  # 4, 5
    assert data("attempts", {**DAY, "campaign_id": "44"})[0]["dials"] == 1  # call 10
    # Tenant 2: lead 900 dialled three times, and its own lead 1 (same id as tenant 1's) once.
    assert [(a["attempt"], a["dials"]) for a in data("attempts", DAY, tenant=2)] == [("1", 2), ("2", 1), ("3", 1)]


def test_attempts_empty_window(api):
    assert data("attempts", {"date_from": "2025-01-01", "date_to": "2025-01-02"}) == []


# -- the warehouse: numbering, late calls, moved calls, incremental = full -------------------------

BURST_LEAD = 20


def burst_rows():
    """The contract rows plus lead 20 dialled 12 times on 2026-06-05 (and one blocked attempt)."""
    rows = contract_rows()
    rows.lead(1, 43, "2026-06-04 08:00", "web", id=BURST_LEAD)
    for i in range(12):
        rows.call(
            1, 43 if i % 2 else 44, f"2026-06-05 10:{i:02d}", "connected" if i % 3 == 0 else "no_answer",
            id=400 + i, lead_id=BURST_LEAD, agent_id=3, talk_sec=20 if i % 3 == 0 else 0,
        )  # fmt: skip
    rows.call(1, 43, "2026-06-05 10:00:30", "blocked", id=450, lead_id=BURST_LEAD, block_reason="dnc")
    return rows


def stored_numbers(url: str) -> dict[int, int | None]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("select call_id, attempt_number from marts.fct_calls").fetchall())


def expected_numbers(url: str) -> dict[int, int | None]:
    raw = load(url)
    numbers: dict[int, int | None] = {}
    for tenant in {c["tenant_id"] for c in raw["calls"]}:
        numbers |= Reference(raw, tenant).attempt_numbers()
    return {c["id"]: numbers.get(c["id"]) for c in raw["calls"]}


WINDOWS = [
    {"date_from": "2026-06-01", "date_to": "2026-06-05"},
    {"date_from": "2026-06-05", "date_to": "2026-06-05"},
    {"date_from": "2026-06-04T12:00:00Z", "date_to": "2026-06-05T10:05:30Z"},  # partial days from fct_calls
    {"date_from": "2026-06-01", "date_to": "2026-06-05", "campaign_id": "43"},
    {"date_from": "2026-06-01", "date_to": "2026-06-05", "agent_ids[]": "3"},
    {"date_from": "2026-06-01", "date_to": "2026-06-05", "team_id": "7"},
    {"date_from": "2026-06-01T09:07:00Z", "date_to": "2026-06-05T10:03:00Z", "team_id": "8"},
    {"date_from": "2026-06-01", "date_to": "2026-06-05", "campaign_id": "43", "agent_ids[]": "3"},
]


def reference_attempts(url: str, params: dict) -> list[dict]:
    from telesales_reports.reports.request import parse_datetime

    start = parse_datetime(params["date_from"])[0]
    end, whole_day = parse_datetime(params["date_to"])
    if whole_day:
        end += timedelta(days=1)
    filters: dict = {}
    if "campaign_id" in params:
        filters["campaign"] = int(params["campaign_id"])
    if "agent_ids[]" in params:
        filters["agents"] = (int(params["agent_ids[]"]),)
    if "team_id" in params:
        filters["team"] = int(params["team_id"])
    return Reference(load(url), 1).attempts(start, end, **filters)


@pytest.fixture(scope="module")
def burst_db(fresh_database):
    url = fresh_database("attempts")
    ensure_schema(url)
    burst_rows().load(url)
    build_db(url, full_refresh=True)
    return url


def test_numbers_and_the_10_plus_item(burst_db):
    assert stored_numbers(burst_db) == expected_numbers(burst_db)
    assert stored_numbers(burst_db)[450] is None  # blocked: not a dial, no number
    db.reset(burst_db)
    day = data("attempts", {"date_from": "2026-06-05", "date_to": "2026-06-05"})
    assert [a["attempt"] for a in day] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10+"]
    assert day[-1]["dials"] == 3  # attempts 10, 11 and 12 in one item
    assert day[0] == {
        "attempt": "1", "dials": 1, "answers": 1, "answer_rate_pct": "100.00", "conversions": 0,
        "conversion_rate_pct": "0.00", "avg_talk_time_sec": "20.0",
    }  # fmt: skip


def test_late_and_moved_calls_renumber_exactly_on_an_incremental_build(burst_db):
    url = burst_db
    with psycopg.connect(url) as conn:
        loaded_before = dict(conn.execute("select call_id, dbt_loaded_at from marts.fct_calls").fetchall())
    with psycopg.connect(url, autocommit=True) as conn:
        # A call replicated late that happened before all of lead 20's dials: they all move up by one.
        conn.execute(
            """insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, started_at, result, talk_sec,
                   updated_at)
               values (460, 1, 43, 20, 4, '2026-06-04 18:00+00', 'no_answer', 0, now())"""
        )
        # Call 8 (lead 1's second dial, 10:15) moves to lead 2 (dialled at 09:05): lead 2's second dial.
        conn.execute("update raw.calls set lead_id = 2, updated_at = now() where id = 8")
        # Lead 20's fourth dial turns out to have been blocked: the dials after it move down by one.
        conn.execute("update raw.calls set result = 'blocked', block_reason = 'dnc', updated_at = now() where id = 403")
    build_db(url)
    numbers = stored_numbers(url)
    assert numbers == expected_numbers(url)
    assert numbers[460] == 1 and numbers[400] == 2 and numbers[403] is None and numbers[411] == 12
    assert numbers[8] == 2 and numbers[1] == 1
    with psycopg.connect(url) as conn:
        loaded_after = dict(conn.execute("select call_id, dbt_loaded_at from marts.fct_calls").fetchall())
    # Cheap: the calls of leads no change touched (tenant 2's, lead 4's, calls without a lead) are not reloaded.
    untouched = [900, 901, 902, 910, 4, 5, 9, 10, *range(101, 177)]
    assert all(loaded_after[c] == loaded_before[c] for c in untouched)
    # Dials 400-402 move up by one (the late call); from 404 on the late call and the blocked 403 cancel
    # out, so those keep their numbers and are not reloaded either.
    assert [numbers[c] for c in (400, 401, 402, 404, 411)] == [2, 3, 4, 5, 12]
    assert all(loaded_after[c] != loaded_before[c] for c in (400, 401, 402, 403, 8))
    assert all(loaded_after[c] == loaded_before[c] for c in (404, 411, 2))  # 2 stays lead 2's first

    db.reset(url)
    incremental = {tuple(w.items()): data("attempts", w) for w in WINDOWS}
    for window in WINDOWS:
        assert incremental[tuple(window.items())] == reference_attempts(url, window), window
    with psycopg.connect(url) as conn:  # every rollup's days were rebuilt: no dial counted twice or lost
        (facts,) = conn.execute(
            "select count(*) from marts.fct_calls where tenant_id = 1 and is_dial and lead_id is not null"
        ).fetchone()
        for grain in ("campaign_agent_team", "tenant", "campaign", "agent_team"):
            table = f"marts.agg_attempts_{grain}_daily"
            (dials,) = conn.execute(f"select sum(dials) from {table} where tenant_id = 1").fetchone()
            assert dials == facts, table

    build_db(url, full_refresh=True)
    assert stored_numbers(url) == numbers
    for window in WINDOWS:
        assert data("attempts", window) == incremental[tuple(window.items())]


def test_numbering_ties_break_by_call_id(fresh_database):
    url = fresh_database("attempt_ties")
    ensure_schema(url)
    rows = contract_rows()
    rows.lead(1, 43, "2026-06-04 08:00", "web", id=30)
    for call_id in (503, 501, 502):  # same instant, inserted out of order
        rows.call(1, 43, "2026-06-05 09:00", "no_answer", id=call_id, lead_id=30)
    rows.load(url)
    build_db(url)
    numbers = stored_numbers(url)
    assert (numbers[501], numbers[502], numbers[503]) == (1, 2, 3)
