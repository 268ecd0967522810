"""Property tests: every report equals an independent computation from the raw rows (reference.py)
for random windows (whole days and cut anywhere), filters and timezones over generated dirty data.
This also proves the rollup navigation exact: daily, 15-minute and call-level pieces must add up."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesales_build.bootstrap import ensure_schema
from telesales_dev.generate import GenerateOptions, generate
from telesales_reports.db import connection as db
from tests.integration.reference import Reference, comparison_window, load
from tests.support import build_db, call, data

END = datetime(2026, 3, 10, tzinfo=UTC)  # covers the New York DST change on 2026-03-08
DAYS = 12
TIMEZONES = ["UTC", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York", "America/St_Johns"]


@pytest.fixture(scope="module")
def generated(fresh_database):
    url = fresh_database("reference")
    ensure_schema(url)
    generate(
        url,
        GenerateOptions(
            tenants=2, campaigns=4, teams=3, agents=12, caller_ids=10, leads=1500, calls=6000, days=DAYS, seed=7,
            end=END,
        ),
    )  # fmt: skip
    # Dirty the data the way replication does: calls that start before their lead was created and
    # calls in another campaign than their lead's (the funnel's irregular leads).
    with psycopg.connect(url, autocommit=True) as conn:
        # the new timestamps are computed here and written as values: Citus (where this suite also
        # runs) refuses timestamptz arithmetic on a column inside an UPDATE
        moved = conn.execute("select id, created_at + interval '2 days' from raw.leads where id % 23 = 0").fetchall()
        with conn.cursor() as cur:
            cur.executemany("update raw.leads set created_at = %s where id = %s", [(at, id_) for id_, at in moved])
        conn.execute(
            """update raw.calls set campaign_id = other.id
               from raw.campaigns other
               where calls.id % 41 = 0 and calls.lead_id is not null
                 and other.tenant_id = calls.tenant_id and other.id <> calls.campaign_id"""
        )
    build_db(url)
    raw = load(url)
    refs = {t: Reference(raw, t) for t in (1, 2)}
    ids = {
        t: {
            "campaigns": sorted(c["id"] for c in raw["campaigns"] if c["tenant_id"] == t),
            "teams": sorted(c["id"] for c in raw["teams"] if c["tenant_id"] == t),
            "agents": sorted(c["id"] for c in raw["users"] if c["tenant_id"] == t),
        }
        for t in (1, 2)
    }
    return url, refs, ids


@st.composite
def requests(draw, ids):
    tenant = draw(st.sampled_from([1, 2]))
    first = END - timedelta(days=DAYS + 1)
    if draw(st.booleans()):  # whole days, as a date picker sends
        start_day = draw(st.integers(min_value=0, max_value=DAYS))
        length = draw(st.integers(min_value=0, max_value=DAYS))
        start = first + timedelta(days=start_day)
        params = {
            "date_from": start.strftime("%Y-%m-%d"),
            "date_to": (start + timedelta(days=length)).strftime("%Y-%m-%d"),
        }
        end = start + timedelta(days=length + 1)
    else:  # cut anywhere, to the second
        offset = draw(st.integers(min_value=0, max_value=(DAYS + 1) * 86400))
        length = draw(st.integers(min_value=0, max_value=(DAYS + 1) * 86400))
        start = first + timedelta(seconds=offset)
        end = start + timedelta(seconds=length)
        params = {"date_from": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "date_to": end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    filters: dict = {}
    f_params: list[tuple[str, str]] = []
    if draw(st.booleans()):
        filters["campaign"] = draw(st.sampled_from(ids[tenant]["campaigns"]))
        f_params.append(("campaign_id", str(filters["campaign"])))
    if draw(st.integers(0, 3)) == 0:
        filters["team"] = draw(st.sampled_from(ids[tenant]["teams"]))
        f_params.append(("team_id", str(filters["team"])))
    if draw(st.integers(0, 3)) == 0:
        agents = draw(st.lists(st.sampled_from(ids[tenant]["agents"]), min_size=1, max_size=3, unique=True))
        filters["agents"] = tuple(agents)
        f_params += [("agent_ids[]", str(a)) for a in agents]
    timezone = draw(st.sampled_from(TIMEZONES))
    return tenant, start, end, filters, [*params.items(), *f_params], timezone


def strip_today(rows):
    return [{k: v for k, v in r.items() if k != "health_calls_today"} for r in rows]


# REFERENCE_EXAMPLES raises the number of random requests for a longer hunt than CI's.
@settings(
    max_examples=int(os.environ.get("REFERENCE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data_=st.data())
def test_every_report_equals_the_reference(generated, data_):
    url, refs, ids = generated
    db.reset(url)
    tenant, start, end, filters, params, timezone = data_.draw(requests(ids))
    ref = refs[tenant]
    assert data("dashboard", params, tenant) == ref.dashboard(start, end, **filters)
    assert data("agent-performance", params, tenant) == ref.agent_performance(start, end, **filters)
    assert data("disposition-breakdown", params, tenant) == ref.disposition_breakdown(start, end, **filters)
    assert strip_today(data("caller-id-health", params, tenant)) == ref.caller_id_health(start, end, **filters)
    assert data("funnel", params, tenant) == ref.funnel(start, end, **filters)
    assert data("lead-source-attribution", params, tenant) == ref.lead_source_attribution(start, end, **filters)
    tz_params = [*params, ("timezone", timezone)]
    assert data("hour-dow-heatmap", tz_params, tenant) == ref.hour_dow_heatmap(start, end, timezone, **filters)
    group_by = data_.draw(st.sampled_from(["day", "week", "hour"]))
    assert data("time-series", [*tz_params, ("group_by", group_by)], tenant) == ref.time_series(
        start, end, timezone, group_by, **filters
    )
    attempts = data("attempts", params, tenant)
    assert attempts == ref.attempts(start, end, **filters)
    carriers = data("carrier-health", params, tenant)
    assert carriers == ref.carrier_health(start, end, **filters)
    # docs/api-reference.md §6.3-6.4 invariants: attempts dials = the dashboard's dials that have a lead;
    # carrier-health sums and status counts = caller-id-health's.
    with_lead = [c for c in ref.window(start, end, **filters) if c["lead_id"] is not None]
    dashboard_with_lead = ref.dashboard(start, end, **filters)["total_dials"] - sum(
        1 for c in ref.window(start, end, **filters) if c["lead_id"] is None and ref.dial(c)
    )
    assert sum(a["dials"] for a in attempts) == dashboard_with_lead == sum(1 for c in with_lead if ref.dial(c))
    cids = data("caller-id-health", params, tenant)
    for field in ("total_calls", "answered_calls"):
        assert sum(c[field] for c in carriers) == sum(r[field] for r in cids)
    assert sum(c["caller_ids"] for c in carriers) == len(cids)
    for status in ("healthy", "warning", "suspected_block", "no_data"):
        assert sum(c[status] for c in carriers) == sum(1 for r in cids if r["health_status"] == status)
    # docs/api-reference.md §6.2: `previous` is the report over the comparison window, same filters and timezone.
    compare = data_.draw(st.sampled_from(["previous_period", "previous_year"]))
    prev_start, prev_end = comparison_window(start, end, compare)
    answer = body("time-series", [*tz_params, ("group_by", group_by), ("compare", compare)], tenant)
    assert answer["previous"] == ref.time_series(prev_start, prev_end, timezone, group_by, **filters)
    assert answer["previous_window"] == {"date_from": iso(prev_start), "date_to": iso(prev_end)}
    report = data_.draw(st.sampled_from(["funnel", "attempts", "carrier-health", "agent-performance"]))
    previous = body(report, [*params, ("compare", compare)], tenant)["previous"]
    assert previous == getattr(ref, report.replace("-", "_"))(prev_start, prev_end, **filters)


def body(report, params, tenant):
    status, answer = call(report, params, tenant)
    assert status == 200, answer
    return answer


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
