"""`GET /api/telesales/reports/filters` (docs/api-reference.md §6.5) through the real Lambda handler."""

from __future__ import annotations

import psycopg
import pytest

from telesales_reports.db import connection as db
from tests.support import T0, call, data

UNAVAILABLE = {"message": "Service Unavailable."}


def test_lists_the_tenants_campaigns_teams_and_agents_by_name_then_id(api):
    body = data("filters")
    assert body["campaigns"] == [
        {"id": 43, "name": "Outbound Sales Q3-2026 03", "status": "active"},
        {"id": 44, "name": "Retention", "status": "paused"},
        {"id": 45, "name": "Strict limit", "status": "active"},
    ]
    assert body["teams"] == [{"id": 7, "name": "Team Hà Nội"}, {"id": 8, "name": "Team Sài Gòn"}]
    assert body["agents"] == [
        {"id": 5, "name": "Lê Hoàng C", "username": "agent03", "team_id": None},
        {"id": 3, "name": "Nguyễn Văn A", "username": "agent01", "team_id": 7},
        {"id": 4, "name": "Trần Thị B", "username": "agent02", "team_id": 8},
    ]
    assert list(body) == ["campaigns", "teams", "agents", "timezones"]


def test_each_tenant_sees_only_its_own_rows(api):
    body = data("filters", tenant=2)
    assert body["campaigns"] == [{"id": 90, "name": "Tenant two", "status": "active"}]
    assert body["teams"] == [{"id": 70, "name": "T2 team"}]
    assert body["agents"] == [{"id": 50, "name": "Agent Năm", "username": "t2agent", "team_id": 70}]
    assert data("filters", tenant=3) == {"campaigns": [], "teams": [], "agents": [], "timezones": body["timezones"]}


@pytest.fixture
def rows_added_after_the_build(api):
    """Rows that reached raw after the last dbt build (the filters read raw live); removed afterwards."""
    added = {
        "campaigns": [(9901, "Chiến dịch mới", "draft"), (9902, "Retention", "completed")],
        "teams": [(9901, "Đội mới"), (9902, "Team Hà Nội")],
        "users": [(9901, "Lê Hoàng C", "le2", None), (9902, "Ánh Đào", "anh", 9901), (9903, "bảo", "bao", 7)],
    }
    with psycopg.connect(api, autocommit=True) as conn:
        for id_, name, status in added["campaigns"]:
            conn.execute("insert into raw.campaigns values (%s, 1, %s, %s, null, %s, %s)", (id_, name, status, T0, T0))
        for id_, name in added["teams"]:
            conn.execute("insert into raw.teams values (%s, 1, %s)", (id_, name))
        for id_, name, username, team in added["users"]:
            conn.execute(
                "insert into raw.users values (%s, 1, %s, %s, %s, %s, %s)", (id_, team, name, username, T0, T0)
            )
    yield
    with psycopg.connect(api, autocommit=True) as conn:
        for table in ("campaigns", "teams", "users"):
            conn.execute(f"delete from raw.{table} where id between 9901 and 9903")


def test_reads_raw_live_and_orders_by_code_point_then_id(rows_added_after_the_build):
    body = data("filters")
    # Code point order: uppercase before lowercase, "Á" (U+00C1) and "Đ" (U+0110) after "z"; equal names by id.
    assert [(c["id"], c["name"]) for c in body["campaigns"]] == [
        (9901, "Chiến dịch mới"),
        (43, "Outbound Sales Q3-2026 03"),
        (44, "Retention"),
        (9902, "Retention"),
        (45, "Strict limit"),
    ]
    assert [(t["id"], t["name"]) for t in body["teams"]] == [
        (7, "Team Hà Nội"),
        (9902, "Team Hà Nội"),
        (8, "Team Sài Gòn"),
        (9901, "Đội mới"),
    ]
    assert [(a["id"], a["name"], a["team_id"]) for a in body["agents"]] == [
        (5, "Lê Hoàng C", None),
        (9901, "Lê Hoàng C", None),
        (3, "Nguyễn Văn A", 7),
        (4, "Trần Thị B", 8),
        (9903, "bảo", 7),
        (9902, "Ánh Đào", 9901),
    ]


def test_a_users_name_is_the_one_the_reports_show(api):
    # DECISIONLOG 49: names from the application are trimmed of Unicode whitespace, in every answer
    with psycopg.connect(api, autocommit=True) as conn:
        conn.execute("update raw.users set name = %s, username = ' agent01 ' where id = 3", ("\u00a0 Nguyễn Văn Z\t",))
    try:
        agent = next(a for a in data("filters")["agents"] if a["id"] == 3)
        shown = next(
            a
            for a in data("agent-performance", {"date_from": "2026-06-01", "date_to": "2026-06-01"})
            if a["agent_id"] == 3
        )
        assert (agent["name"], agent["username"]) == (shown["name"], shown["username"]) == ("Nguyễn Văn Z", "agent01")
    finally:
        with psycopg.connect(api, autocommit=True) as conn:
            conn.execute("update raw.users set name = 'Nguyễn Văn A', username = 'agent01' where id = 3")


def test_timezones_are_every_accepted_name_sorted(api):
    timezones = data("filters")["timezones"]
    with psycopg.connect(api) as conn:
        names = {r[0] for r in conn.execute("select name from pg_timezone_names where name not like 'posix/%'")}
    assert timezones == sorted(names)
    assert len(timezones) == len(set(timezones)) > 300
    assert {"UTC", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York"} <= set(timezones)
    assert not [tz for tz in timezones if tz.startswith("posix/")]
    # every offered name is accepted by the reports (a sample across the list; the check is one lookup)
    for tz in timezones[::40] + ["Asia/Ho_Chi_Minh"]:
        status, body = call("hour-dow-heatmap", {"date_from": "2026-06-01", "date_to": "2026-06-01", "timezone": tz})
        assert status == 200, (tz, body)


def test_parameters_are_ignored(api):
    expected = data("filters")
    junk = [
        ("campaign_id", "abc"),
        ("team_id", "999999"),
        ("agent_ids[]", "x"),
        ("date_from", "not a date"),
        ("timezone", "Mars/Olympus"),
        ("format", "xlsx"),
        ("compare", "yesterday"),
    ]
    status, body = call("filters", junk)
    assert status == 200
    assert body == {"data": expected}


def test_no_export_and_no_other_methods(api):
    assert call("filters/export", {"format": "csv"}) == (404, {"message": "Not Found."})
    assert call("filters/export", {"format": "xlsx", "date_from": "2026-06-01", "date_to": "2026-06-01"})[0] == 404


def test_needs_the_tenant_claim(api):
    assert call("filters", tenant=None) == (401, {"message": "Unauthenticated."})
    assert call("filters", tenant="abc") == (401, {"message": "Unauthenticated."})


def test_database_down_is_a_clean_503_and_recovers(api):
    db.reset("postgresql://nobody@127.0.0.1:1/nowhere?connect_timeout=1")
    assert call("filters") == (503, UNAVAILABLE)
    db.reset(api)
    assert call("filters")[0] == 200
