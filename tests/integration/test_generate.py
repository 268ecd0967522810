"""The synthetic data generator against a real PostgreSQL: sizes, determinism, contract enums,
per-tenant consistency, deliberate dirty rows and the incremental `append_days`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from telesales_dev.generate import GenerateOptions, append_days, generate

OPTIONS = GenerateOptions(
    tenants=2,
    campaigns=8,
    teams=4,
    agents=30,
    caller_ids=40,
    leads=1_500,
    calls=5_000,
    days=30,
    seed=7,
    end=datetime(2026, 6, 1, tzinfo=UTC),
)

CALLS_DIGEST = """
    select md5(string_agg(concat_ws('|', id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id,
                                    started_at, answered_at, ended_at, result, block_reason, talk_sec,
                                    hold_sec, wrap_sec, disposition_code, updated_at), ',' order by id))
    from raw.calls
"""
LEADS_DIGEST = """
    select md5(string_agg(concat_ws('|', id, tenant_id, campaign_id, source, phone, created_at, updated_at),
                          ',' order by id))
    from raw.leads
"""
DIMENSIONS_DIGEST = """
    select md5((select string_agg(concat_ws('|', id, tenant_id, team_id, name, username, created_at), ','
                                  order by id) from raw.users)
               || (select string_agg(concat_ws('|', tenant_id, cid, display_name, carrier, cli_type,
                                               pool_status, cooldown_until, daily_cap), ','
                                     order by tenant_id, cid) from raw.caller_ids)
               || (select string_agg(concat_ws('|', id, name, status, abandon_limit_pct), ',' order by id)
                   from raw.campaigns))
"""


def scalar(url: str, sql: str, params: tuple | None = None):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def rows(url: str, sql: str, params: tuple | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def digests(url: str) -> tuple[str, str, str]:
    return scalar(url, CALLS_DIGEST), scalar(url, LEADS_DIGEST), scalar(url, DIMENSIONS_DIGEST)


@pytest.fixture(scope="module")
def generated(fresh_database) -> tuple[str, dict]:
    url = fresh_database("generate")
    return url, generate(url, OPTIONS)


@pytest.fixture(scope="module")
def twin(fresh_database) -> str:
    """A second database loaded with the same options (for determinism and append_days)."""
    url = fresh_database("generate_twin")
    generate(url, OPTIONS)
    return url


def test_row_counts_match_options(generated):
    url, counts = generated
    expected = {
        "tenants": OPTIONS.tenants,
        "campaigns": OPTIONS.campaigns,
        "teams": OPTIONS.teams,
        "users": OPTIONS.agents,
        "caller_ids": OPTIONS.caller_ids,
        "leads": OPTIONS.leads,
        "calls": OPTIONS.calls,
    }
    for table, count in expected.items():
        assert counts[table] == count, table
        assert scalar(url, f"select count(*) from raw.{table}") == count, table
    assert counts["seconds"] >= 0
    # every tenant has some of everything, and dispositions of its own
    for table in ("campaigns", "teams", "users", "caller_ids", "leads", "calls", "dispositions"):
        assert scalar(url, f"select count(distinct tenant_id) from raw.{table}") == 2, table


def test_calls_lie_in_the_period(generated):
    url, _ = generated
    low, high = rows(url, "select min(started_at), max(started_at) from raw.calls")[0]
    assert low >= datetime(2026, 5, 2, tzinfo=UTC)
    assert high < datetime(2026, 6, 1, tzinfo=UTC)


def test_same_seed_same_bytes_other_seed_differs(generated, twin, fresh_database):
    url, _ = generated
    assert digests(url) == digests(twin)
    other = fresh_database("generate_seed")
    generate(other, replace(OPTIONS, seed=8))
    first, second = digests(url), digests(other)
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_references_stay_inside_the_tenant(generated):
    url, _ = generated
    # campaigns: always the call's own tenant
    assert (
        scalar(
            url,
            """select count(*) from raw.calls c
               where not exists (select 1 from raw.campaigns k where k.id = c.campaign_id and k.tenant_id = c.tenant_id)""",
        )
        == 0
    )
    # leads: same tenant and the call's campaign is the lead's campaign; a few manual dials
    assert (
        scalar(
            url,
            """select count(*) from raw.calls c join raw.leads l on l.id = c.lead_id
               where l.tenant_id <> c.tenant_id or l.campaign_id <> c.campaign_id""",
        )
        == 0
    )
    assert (
        scalar(
            url,
            "select count(*) from raw.calls c where lead_id is not null and lead_id not in (select id from raw.leads)",
        )
        == 0
    )
    manual = scalar(url, "select count(*) from raw.calls where lead_id is null")
    assert 0 < manual < OPTIONS.calls * 0.02
    before_lead = scalar(
        url, "select count(*) from raw.calls c join raw.leads l on l.id = c.lead_id where c.started_at < l.created_at"
    )
    assert before_lead < OPTIONS.calls * 0.01
    # agents, teams and caller IDs: never another tenant's (unknown ones are the deliberate dirty rows)
    assert (
        scalar(
            url,
            "select count(*) from raw.calls c join raw.users u on u.id = c.agent_id where u.tenant_id <> c.tenant_id",
        )
        == 0
    )
    assert (
        scalar(
            url,
            "select count(*) from raw.calls c join raw.teams t on t.id = c.team_id where t.tenant_id <> c.tenant_id",
        )
        == 0
    )
    assert (
        scalar(
            url,
            """select count(*) from raw.calls c
               where c.caller_id is not null and c.caller_id not like '0123%'
                 and not exists (select 1 from raw.caller_ids k where k.tenant_id = c.tenant_id and k.cid = c.caller_id)""",
        )
        == 0
    )
    # most calls carry the agent's current team
    share = scalar(
        url,
        """select avg((c.team_id is not distinct from u.team_id)::int) from raw.calls c
           join raw.users u on u.id = c.agent_id""",
    )
    assert share > 0.85


def test_enums_within_the_contract(generated):
    url, _ = generated
    allowed = {
        "select distinct result from raw.calls": {
            "connected",
            "abandoned",
            "voicemail",
            "no_answer",
            "busy",
            "rejected",
            "failed",
            "blocked",
        },
        "select distinct block_reason from raw.calls where block_reason is not null": {"pdpl_window", "dnc", "other"},
        "select distinct carrier from raw.caller_ids": {
            "viettel",
            "mobifone",
            "vinaphone",
            "vietnamobile",
            "landline",
            "other",
        },
        "select distinct cli_type from raw.caller_ids": {
            "mobile",
            "fixed_02x",
            "hotline_1900",
            "hotline_1800",
            "brandname",
        },
        "select distinct pool_status from raw.caller_ids": {"active", "cooldown", "paused", "disabled"},
        "select distinct category from raw.dispositions": {"contact", "no_contact", "callback", "remove"},
        "select distinct status from raw.campaigns": {"draft", "active", "paused", "completed"},
    }
    for sql, values in allowed.items():
        found = {r[0] for r in rows(url, sql)}
        assert found <= values, sql
        assert found, sql
    assert {r[0] for r in rows(url, "select distinct result from raw.calls")} == allowed[
        "select distinct result from raw.calls"
    ]
    assert scalar(url, "select count(*) from raw.dispositions where color !~ '^#[0-9A-F]{6}$'") == 0
    assert scalar(url, "select count(*) from raw.caller_ids where daily_cap not between 100 and 500") == 0
    assert (
        scalar(
            url, "select count(*) from raw.caller_ids where (pool_status = 'cooldown') <> (cooldown_until is not null)"
        )
        == 0
    )
    assert scalar(url, "select count(*) from raw.dispositions where code = 'sale' and is_conversion") == 2
    assert scalar(url, "select count(*) from raw.calls where block_reason is not null and result <> 'blocked'") == 0
    assert scalar(url, "select count(*) from raw.calls where result = 'blocked' and block_reason is null") == 0


def test_call_shapes_per_result(generated):
    url, _ = generated
    checks = {
        "blocked": "answered_at is null and ended_at is null and talk_sec = 0",
        "connected": "answered_at >= started_at and ended_at >= answered_at and talk_sec > 0",
        "abandoned": "answered_at is not null and agent_id is null and talk_sec = 0",
        "voicemail": "answered_at is not null and talk_sec = 0",
        "no_answer": "answered_at is null and talk_sec = 0",
    }
    for result, condition in checks.items():
        assert scalar(url, f"select count(*) from raw.calls where result = %s and not ({condition})", (result,)) == 0
    assert scalar(url, "select count(*) from raw.calls where updated_at < coalesce(ended_at, started_at)") == 0
    share = dict(rows(url, "select result, avg(1.0) * count(*) / sum(count(*)) over () from raw.calls group by 1"))
    assert 0.30 <= share["connected"] <= 0.48
    assert 0.003 <= share["abandoned"] <= 0.04
    sale = scalar(
        url,
        "select avg((disposition_code = 'sale')::int) from raw.calls where result = 'connected' and disposition_code is not null",
    )
    assert 0.12 <= sale <= 0.3
    talk = rows(
        url,
        """select count(*) filter (where talk_sec < 10), count(*) filter (where talk_sec > 30), max(talk_sec)
           from raw.calls where result = 'connected'""",
    )[0]
    assert talk[0] > 0 and talk[1] > talk[0] and 600 < talk[2] <= 1200


def test_pdpl_blocked_calls_are_outside_the_calling_window(generated):
    url, _ = generated
    local_hours = [
        r[0]
        for r in rows(
            url,
            """select extract(hour from started_at at time zone 'Asia/Ho_Chi_Minh')::int from raw.calls
               where result = 'blocked' and block_reason = 'pdpl_window'""",
        )
    ]
    assert local_hours
    assert all(h < 8 or h >= 21 for h in local_hours)
    # and everything that was dialed happened inside the window
    assert (
        scalar(
            url,
            """select count(*) from raw.calls where result <> 'blocked'
               and extract(hour from started_at at time zone 'Asia/Ho_Chi_Minh') not between 8 and 20""",
        )
        == 0
    )


def test_vietnamese_names_and_realistic_dimensions(generated):
    url, _ = generated
    names = [r[0] for r in rows(url, "select name from raw.users")]
    assert sum(any(ord(ch) > 127 for ch in name) for name in names) > len(names) / 2
    assert any(name.startswith("Nguyễn ") for name in names)
    assert all(len(name.split()) >= 3 for name in names)
    assert scalar(url, "select count(*) from raw.users where username !~ '^agent[0-9]{3,}$'") == 0
    no_team = scalar(url, "select count(*) from raw.users where team_id is null")
    assert no_team < OPTIONS.agents / 4
    assert scalar(url, "select count(*) from raw.campaigns where status = 'active'") >= OPTIONS.campaigns / 3
    assert {r[0] for r in rows(url, "select distinct abandon_limit_pct::text from raw.campaigns")} <= {
        None,
        "3.00",
        "2.50",
    }
    assert (
        scalar(url, "select count(*) from raw.caller_ids where cid !~ '^(0[0-9]{9,10}|1[89]00[0-9]{4}|[A-Z]+[0-9]+)$'")
        == 0
    )
    assert scalar(url, "select count(*) from raw.leads where updated_at < created_at") == 0
    sources = {r[0] for r in rows(url, "select distinct source from raw.leads")}
    assert None in sources and "" in sources
    assert any(s and s != s.strip() and s.strip() for s in sources)
    assert {"facebook_lead_ads", "google_ads", "zalo"} <= sources


def test_dirty_rows_are_present(generated):
    url, _ = generated
    unknown_agent = scalar(
        url, "select count(*) from raw.calls where agent_id is not null and agent_id not in (select id from raw.users)"
    )
    unknown_code = scalar(
        url,
        """select count(*) from raw.calls c where disposition_code is not null and not exists
           (select 1 from raw.dispositions d where d.tenant_id = c.tenant_id and d.code = c.disposition_code)""",
    )
    unknown_cid = scalar(
        url,
        """select count(*) from raw.calls c where caller_id is not null and not exists
           (select 1 from raw.caller_ids k where k.tenant_id = c.tenant_id and k.cid = c.caller_id)""",
    )
    sale_unanswered = scalar(
        url, "select count(*) from raw.calls where disposition_code = 'sale' and result = 'no_answer'"
    )
    for count in (unknown_agent, unknown_code, unknown_cid, sale_unanswered):
        assert 3 <= count <= 10


def test_append_days_adds_later_calls_deterministically(generated, twin, fresh_database):
    before = rows(twin, "select max(started_at), max(id), (select max(id) from raw.leads), count(*) from raw.calls")[0]
    added = append_days(twin, days=2, seed=11)
    after = rows(
        twin,
        """select min(started_at), min(id), count(*), count(distinct tenant_id) from raw.calls
           where id > %s""",
        (before[1],),
    )[0]
    assert added["calls"] == after[2]
    assert after[0] > before[0] and after[1] > before[1]
    assert scalar(twin, "select count(*) from raw.calls where id <= %s", (before[1],)) == before[3]
    assert (
        scalar(twin, "select count(*) from raw.calls where started_at > %s and id <= %s", (before[0], before[1])) == 0
    )
    # two days at the per-day volume of the existing data (5000 calls over 30 days)
    assert 2 * 5_000 / 30 * 0.6 <= added["calls"] <= 2 * 5_000 / 30 * 1.4
    assert after[3] == 2
    assert added["leads"] > 0
    assert scalar(twin, "select min(id) from raw.leads where id > %s", (before[2],)) == before[2] + 1
    assert (
        scalar(
            twin,
            """select count(*) from raw.calls c join raw.leads l on l.id = c.lead_id
               where c.id > %s and (l.tenant_id <> c.tenant_id or l.campaign_id <> c.campaign_id)""",
            (before[1],),
        )
        == 0
    )
    # some of the new calls reach leads created during the new days
    assert scalar(twin, "select count(*) from raw.calls where id > %s and lead_id > %s", (before[1], before[2])) > 0
    # deterministic: the same append on an identical database gives identical rows
    again = fresh_database("generate_append")
    generate(again, OPTIONS)
    append_days(again, days=2, seed=11)
    assert digests(again) == digests(twin)


def test_period_end_need_not_be_midnight(fresh_database):
    url = fresh_database("generate_odd_end")
    end = datetime(2026, 6, 1, 12, 30, 15, tzinfo=UTC)
    counts = generate(url, replace(OPTIONS, tenants=1, calls=1_200, leads=300, days=3, end=end))
    assert counts["calls"] == 1_200
    low, high = rows(url, "select min(started_at), max(started_at) from raw.calls")[0]
    assert low >= datetime(2026, 5, 29, 12, 30, 15, tzinfo=UTC)
    assert high < end
    assert scalar(url, "select max(created_at) from raw.leads") < end


def test_an_appended_day_that_reaches_past_now_holds_only_what_has_happened(fresh_database):
    # the data ends at today's UTC midnight, so the appended day is today: a replica at this moment holds
    # no call that has not started, no lead not yet created, and no row written in the future
    url = fresh_database("generate_append_today")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate(url, replace(OPTIONS, tenants=1, calls=3_000, leads=600, days=6, end=today))
    before = rows(url, "select max(id), (select max(id) from raw.leads) from raw.calls")[0]
    added = append_days(url, days=1, seed=5)
    calls, leads = rows(
        url,
        "select (select count(*) from raw.calls where id > %s), (select count(*) from raw.leads where id > %s)",
        (before[0], before[1]),
    )[0]
    assert (added["calls"], added["leads"]) == (calls, leads)
    assert scalar(url, "select count(*) from raw.calls where started_at > now() or updated_at > now()") == 0
    assert scalar(url, "select count(*) from raw.leads where created_at > now() or updated_at > now()") == 0
    # every appended call's lead is there (the calls of a lead not yet created went with it)
    assert (
        scalar(
            url,
            "select count(*) from raw.calls c where c.id > %s and c.lead_id is not null"
            " and not exists (select from raw.leads l where l.id = c.lead_id)",
            (before[0],),
        )
        == 0
    )
    # today's calls so far are there (the day's first hour may hold none), each written when it happened
    assert calls > 0 or datetime.now(UTC) - today < timedelta(hours=1)
    assert scalar(url, "select count(*) from raw.calls where id > %s and updated_at < started_at", (before[0],)) == 0
