"""Every report through the real Lambda handler, against the hand-built contract fixture (conftest.py).

Expected numbers are worked out by hand from the fixture, per docs/api-reference.md §2 and §3.
"""

from __future__ import annotations

import pytest

from tests.support import call, data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}  # the whole of Monday 2026-06-01 UTC


# -- dashboard ----------------------------------------------------------------------------------


def test_dashboard_classifies_every_result(api):
    # Dials: 8 (two blocked attempts are not dials); answers: connected x4 + abandoned (voicemail is not);
    # talk summed over all dials, including 5 s on an unanswered call; conversions: the two answered
    # "sale" calls, not the "sale" code on the no_answer call.
    assert data("dashboard", DAY) == {
        "total_dials": 8,
        "total_answers": 5,
        "answer_rate_pct": "62.50",
        "avg_talk_time_sec": "37.0",
        "total_talk_time_sec": "185",
        "unique_agents": 4,
        "pdpl_blocked_count": 1,
        "total_conversions": 2,
        "conversion_rate_pct": "40.00",
        "avg_aht_sec": 43,
    }


def test_dashboard_types_are_the_contracts(api):
    body = data("dashboard", DAY)
    for key in ("total_dials", "total_answers", "unique_agents", "pdpl_blocked_count", "total_conversions"):
        assert type(body[key]) is int
    for key in ("answer_rate_pct", "avg_talk_time_sec", "total_talk_time_sec", "conversion_rate_pct"):
        assert type(body[key]) is str


def test_whole_day_date_to_includes_the_day_and_datetime_is_exclusive(api):
    assert data("dashboard", DAY)["total_dials"] == 8
    exclusive = data("dashboard", {"date_from": "2026-06-01", "date_to": "2026-06-01T23:30:00"})
    assert exclusive["total_dials"] == 7  # the 23:30 call is at the exclusive end


def test_offsets_are_converted_to_utc(api):
    # 16:00+07:00 is 09:00Z: the window [09:00Z, 09:10Z) holds the calls at 09:00 and 09:05.
    body = data("dashboard", {"date_from": "2026-06-01T16:00:00+07:00", "date_to": "2026-06-01T09:10:00Z"})
    assert (body["total_dials"], body["total_answers"]) == (2, 2)


@pytest.mark.parametrize(
    ("date_from", "date_to", "dials"),
    [
        ("2026-06-01T09:05:00", "2026-06-01T09:25:00", 3),  # inside one slot pair: calls 2, 3, 4
        ("2026-06-01T09:05:00", "2026-06-01T10:16:00", 5),  # edges + whole slots: calls 2, 3, 4, 5, 8
        ("2026-06-01T09:00:00", "2026-06-01T09:00:01", 1),  # one second
        ("2026-06-01T09:00:01", "2026-06-01T10:15:00", 4),  # calls 2, 3, 4, 5
    ],
)
def test_windows_that_cut_through_15_minute_slots_are_exact(api, date_from, date_to, dials):
    assert data("dashboard", {"date_from": date_from, "date_to": date_to})["total_dials"] == dials


def test_empty_window_gives_zeros(api):
    assert data("dashboard", {"date_from": "2025-01-01", "date_to": "2025-01-02"}) == {
        "total_dials": 0,
        "total_answers": 0,
        "answer_rate_pct": "0.00",
        "avg_talk_time_sec": "0.0",
        "total_talk_time_sec": "0",
        "unique_agents": 0,
        "pdpl_blocked_count": 0,
        "total_conversions": 0,
        "conversion_rate_pct": "0.00",
        "avg_aht_sec": 0,
    }
    assert data("agent-performance", {"date_from": "2025-01-01", "date_to": "2025-01-02"}) == []
    assert data("time-series", {"date_from": "2025-01-01", "date_to": "2025-01-02"}) == []
    assert data("disposition-breakdown", {"date_from": "2025-01-01", "date_to": "2025-01-02"}) == []
    heat = data("hour-dow-heatmap", {"date_from": "2025-01-01", "date_to": "2025-01-02"})
    assert len(heat) == 168 and all(c["dials"] == 0 and c["answer_rate_pct"] == 0 for c in heat)


# -- filters ------------------------------------------------------------------------------------


def test_campaign_filter(api):
    assert data("dashboard", {**DAY, "campaign_id": "44"})["total_dials"] == 1


def test_agent_filter_repeated_keys_and_commas(api):
    repeated = data("dashboard", [*DAY.items(), ("agent_ids[]", "3"), ("agent_ids[]", "4")])
    commas = data("dashboard", {**DAY, "agent_ids": "3,4"})
    assert repeated == commas
    assert repeated["total_dials"] == 5  # agent 3: calls 1, 3, 10; agent 4: calls 4, 5
    assert repeated["pdpl_blocked_count"] == 1  # agent 3's blocked attempt


def test_team_filter_falls_back_to_the_agents_current_team(api):
    # Team 8: call 4 has team 8; call 5 has no team and agent 4's current team is 8.
    assert data("dashboard", {**DAY, "team_id": "8"})["total_dials"] == 2
    # Team 7: calls 1, 3, 10 carry team 7; the blocked call 6 (no team, agent 3) counts as team 7's.
    team7 = data("dashboard", {**DAY, "team_id": "7"})
    assert (team7["total_dials"], team7["pdpl_blocked_count"]) == (3, 1)


@pytest.mark.parametrize(
    ("filters", "dials", "codes"),
    [
        ({"team_id": "8"}, 2, {"sale": 1}),  # call 4 (team 8, "sale") and call 5 (no team, agent 4 of team 8)
        ({"team_id": "7"}, 3, {"sale": 2}),  # calls 1, 3, 10 (team 7); call 6, agent 3's, is a blocked attempt
        ({"agent_ids": "3,4"}, 5, {"sale": 3}),
        ({"agent_ids": "5"}, 1, {"legacy": 1}),
    ],
)
def test_team_and_agent_filters_alone_read_the_narrow_rollups_exactly(api, filters, dials, codes):
    # heatmap, time-series and disposition-breakdown read a team filter alone from the team rollups (the
    # call's team, and the calls without a team per agent) and agents alone from the agent rollup: the
    # same calls as the dashboard, both arms of the team filter included.
    params = {**DAY, **filters, "timezone": "Asia/Ho_Chi_Minh"}
    assert data("dashboard", {**DAY, **filters})["total_dials"] == dials
    assert sum(cell["dials"] for cell in data("hour-dow-heatmap", params)) == dials
    assert sum(row["dials"] for row in data("time-series", {**params, "group_by": "hour"})) == dials
    assert sum(row["dials"] for row in data("time-series", {**DAY, **filters})) == dials
    assert {row["code"]: row["count"] for row in data("disposition-breakdown", {**DAY, **filters})} == codes


@pytest.mark.parametrize(
    ("team", "calls"),
    [("7", {"0900000001": 1}), ("8", {})],  # call 1 (team 7); team 8's calls 4 and 5 have no caller ID
)
def test_team_filter_alone_reads_the_team_caller_id_weeks_and_days(api, team, calls):
    # three whole 7-day periods (from the 2000-01-01 origin: 2026-05-23 is a Saturday) and the days around
    # them: the weekly and daily team rollups, both arms of the filter; the same counts as the day alone.
    for window in ({"date_from": "2026-05-20", "date_to": "2026-06-16"}, DAY):
        rows = data("caller-id-health", {**window, "team_id": team})
        assert {r["cid"]: r["total_calls"] for r in rows if r["total_calls"]} == calls
        carriers = data("carrier-health", {**window, "team_id": team})
        assert sum(c["total_calls"] for c in carriers) == sum(calls.values())


@pytest.mark.parametrize(
    ("agents", "calls"),
    [
        ("3", {"0900000001": 1}),  # call 1; agent 3's other calls have no caller ID or are blocked
        ("3,4", {"0900000001": 1}),  # agent 4's calls 4 and 5 have no caller ID
        ("4", {}),
        ("5", {}),  # call 8's caller ID 0999999999 is not in the pool
    ],
)
def test_agents_alone_read_the_agent_caller_id_weeks_and_the_days_around_them(api, agents, calls):
    # 2026-05-20 .. 2026-06-16: three whole 7-day periods (2026-05-23 is a Saturday, the 2000-01-01 origin's
    # weekday) hold the day, read from the agent rollup; 2026-06-01 .. 2026-06-20: the day falls in the days
    # before the first whole period, read from fct_calls; and the day alone. All count the same calls.
    windows = (
        {"date_from": "2026-05-20", "date_to": "2026-06-16"},
        {"date_from": "2026-06-01", "date_to": "2026-06-20"},
        DAY,
    )
    for window in windows:
        params = [*window.items(), *(("agent_ids[]", a) for a in agents.split(","))]
        rows = data("caller-id-health", params)
        assert {r["cid"]: r["total_calls"] for r in rows if r["total_calls"]} == calls, window
        assert sum(c["total_calls"] for c in data("carrier-health", params)) == sum(calls.values())


def test_campaign_filter_alone_reads_the_campaign_by_agent_days(api):
    # campaign 43 on the day: every call but call 10 (campaign 44); call 2 has no agent
    dash = data("dashboard", {**DAY, "campaign_id": "43"})
    assert (dash["total_dials"], dash["unique_agents"], dash["total_conversions"]) == (7, 4, 1)
    rows = data("agent-performance", {**DAY, "campaign_id": "43"})
    assert [(r["agent_id"], r["dials"], r["answers"], r["conversions"], r["avg_aht_sec"]) for r in rows] == [
        (3, 2, 1, 1, 130),  # call 1 (talk 100 + hold 10 + wrap 20) and the voicemail call 3
        (4, 2, 0, 0, 0),
        (5, 1, 1, 0, 31),
        (99, 1, 1, 0, 9),
    ]


def test_filters_combine(api):
    body = data("dashboard", [*DAY.items(), ("campaign_id", "43"), ("team_id", "7"), ("agent_ids[]", "3")])
    assert body["total_dials"] == 2  # calls 1 and 3 (call 10 is campaign 44)


# -- agent-performance --------------------------------------------------------------------------


def test_agent_performance(api):
    assert data("agent-performance", DAY) == [
        {"agent_id": 3, "name": "Nguyễn Văn A", "username": "agent01", "dials": 3, "answers": 2,
         "avg_aht_sec": 85, "conversions": 2, "conv_rate": 100.0},
        {"agent_id": 4, "name": "Trần Thị B", "username": "agent02", "dials": 2, "answers": 0,
         "avg_aht_sec": 0, "conversions": 0, "conv_rate": 0.0},
        {"agent_id": 5, "name": "Lê Hoàng C", "username": "agent03", "dials": 1, "answers": 1,
         "avg_aht_sec": 31, "conversions": 0, "conv_rate": 0.0},
        {"agent_id": 99, "name": "(unknown)", "username": "", "dials": 1, "answers": 1,
         "avg_aht_sec": 9, "conversions": 0, "conv_rate": 0.0},
    ]  # fmt: skip


def test_agent_performance_leaves_out_agents_with_only_blocked_attempts(api):
    rows = data("agent-performance", {"date_from": "2026-06-01T10:00:00", "date_to": "2026-06-01T10:02:00"})
    assert rows == []


# -- disposition-breakdown ----------------------------------------------------------------------


def test_disposition_breakdown_with_unknown_code(api):
    assert data("disposition-breakdown", DAY) == [
        {"code": "sale", "label": "Sale Success", "category": "contact", "color": "#10B981", "count": 3,
         "pct": "60.00"},
        {"code": "callback", "label": "Call back", "category": "callback", "color": "#F59E0B", "count": 1,
         "pct": "20.00"},
        {"code": "legacy", "label": "legacy", "category": None, "color": "#9CA3AF", "count": 1, "pct": "20.00"},
    ]  # fmt: skip


# -- funnel and lead-source-attribution ---------------------------------------------------------


def stages(rows):
    return [(r["stage"], r["count"]) for r in rows]


def test_funnel(api):
    assert stages(data("funnel", DAY)) == [
        ("Total leads", 6), ("Dialed", 5), ("Connected", 3), ("Talked > 30s", 2), ("Disposed", 3), ("Converted", 2),
    ]  # fmt: skip


def test_funnel_campaign_restricts_the_cohort(api):
    assert stages(data("funnel", {**DAY, "campaign_id": "43"})) == [
        ("Total leads", 5), ("Dialed", 4), ("Connected", 2), ("Talked > 30s", 1), ("Disposed", 2), ("Converted", 1),
    ]  # fmt: skip


def test_funnel_agent_filter_restricts_calls_not_total_leads(api):
    assert stages(data("funnel", {**DAY, "agent_ids[]": "4"})) == [
        ("Total leads", 6), ("Dialed", 2), ("Connected", 0), ("Talked > 30s", 0), ("Disposed", 1), ("Converted", 0),
    ]  # fmt: skip
    assert stages(data("funnel", {**DAY, "team_id": "8"})) == stages(data("funnel", {**DAY, "agent_ids[]": "4"}))


@pytest.mark.parametrize(
    "window",
    [DAY, {"date_from": "2026-06-01T00:00:00Z", "date_to": "2026-06-01T23:59:00Z"}],  # team days; team leads
)
def test_funnel_team_filter_alone_counts_both_arms_of_the_team(api, window):
    # A team filter alone reads the leads' milestones per team (whole UTC days from the team rollup, else
    # fct_lead_teams). Team 8: lead 4 by call 4 (team 8; disposed, not a conversion) and lead 7 by call 5
    # (no team, agent 4 of team 8), a call before the lead's creation but in the window.
    assert stages(data("funnel", {**window, "team_id": "8"})) == [
        ("Total leads", 6), ("Dialed", 2), ("Connected", 0), ("Talked > 30s", 0), ("Disposed", 1), ("Converted", 0),
    ]  # fmt: skip
    # Team 7: lead 1 by call 1 and lead 6 by call 10 (campaign 44: no campaign filter, so it counts); call 8
    # on lead 1 is agent 5's, who has no team.
    assert stages(data("funnel", {**window, "team_id": "7"})) == [
        ("Total leads", 6), ("Dialed", 2), ("Connected", 2), ("Talked > 30s", 2), ("Disposed", 2), ("Converted", 2),
    ]  # fmt: skip
    sources = {s["source"]: (s["dialed_count"], s["conv_count"]) for s in data("lead-source-attribution", {
        **window, "team_id": "7"})}  # fmt: skip
    assert sources == {"(unknown)": (0, 0), "facebook": (1, 1), "web": (0, 0), "zalo": (1, 1)}


def test_funnel_counts_only_calls_in_the_window(api):
    # Leads 1-4 and 6 were created at 08:00; only lead 1's 09:00 call is before the end at 09:02.
    assert stages(data("funnel", {"date_from": "2026-06-01", "date_to": "2026-06-01T09:02:00"})) == [
        ("Total leads", 5), ("Dialed", 1), ("Connected", 1), ("Talked > 30s", 1), ("Disposed", 1), ("Converted", 1),
    ]  # fmt: skip


def test_lead_source_attribution(api):
    assert data("lead-source-attribution", DAY) == [
        {"source": "(unknown)", "total_leads": 2, "dialed_count": 1, "contacted_count": 0, "conv_count": 0,
         "conv_rate_pct": "0.00"},
        {"source": "facebook", "total_leads": 2, "dialed_count": 2, "contacted_count": 2, "conv_count": 1,
         "conv_rate_pct": "50.00"},
        {"source": "web", "total_leads": 1, "dialed_count": 1, "contacted_count": 0, "conv_count": 0,
         "conv_rate_pct": "0.00"},
        {"source": "zalo", "total_leads": 1, "dialed_count": 1, "contacted_count": 1, "conv_count": 1,
         "conv_rate_pct": "100.00"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [DAY, {**DAY, "campaign_id": "43"}, {**DAY, "agent_ids[]": "3"}, {**DAY, "team_id": "8"},
     {"date_from": "2026-06-01", "date_to": "2026-06-01T09:02:00"}],
)  # fmt: skip
def test_funnel_stages_are_the_column_sums_of_lead_sources(api, params):
    funnel = dict(stages(data("funnel", params)))
    sources = data("lead-source-attribution", params)
    assert funnel["Total leads"] == sum(s["total_leads"] for s in sources)
    assert funnel["Dialed"] == sum(s["dialed_count"] for s in sources)
    assert funnel["Connected"] == sum(s["contacted_count"] for s in sources)
    assert funnel["Converted"] == sum(s["conv_count"] for s in sources)


# -- caller-id-health ---------------------------------------------------------------------------


def test_caller_id_health_lists_the_whole_pool(api):
    rows = data("caller-id-health", DAY)
    assert [r["cid"] for r in rows] == [
        "0900000001", "0900000002", "0900000003", "0900000004", "0900000005", "0900000006", "0900000007",
    ]  # fmt: skip
    assert rows[0] == {
        "cid": "0900000001", "display_name": "Sales Line 1", "carrier": "viettel", "cli_type": "fixed_02x",
        "pool_status": "active", "cooldown_until": None, "daily_cap": 200, "total_calls": 2, "answered_calls": 2,
        "asr_pct": 100.0, "acd_sec": 50, "short_calls": 0, "short_call_ratio_pct": 0.0, "rejected_calls": 0,
        "health_status": "no_data", "health_calls_today": 0,
    }  # fmt: skip
    assert rows[1]["cooldown_until"] == "2026-06-09T02:31:14Z"
    assert (rows[1]["short_calls"], rows[1]["short_call_ratio_pct"], rows[1]["acd_sec"]) == (1, 100.0, 9)
    # health_calls_today is live: today's dials on the cid (the blocked attempt is not a dial)
    assert (rows[2]["total_calls"], rows[2]["health_calls_today"]) == (0, 1)


def test_caller_id_health_status_rules_and_one_decimal_rounding(api):
    rows = {r["cid"]: r for r in data("caller-id-health", {"date_from": "2026-06-03", "date_to": "2026-06-03"})}
    assert rows["0900000004"]["asr_pct"] == 6.3  # 1/16 = 6.25 -> 6.3 (half away from zero)
    assert rows["0900000004"]["health_status"] == "no_data"  # 16 calls < 20
    assert rows["0900000005"]["health_status"] == "suspected_block"  # rejected 95 %
    assert rows["0900000005"]["rejected_calls"] == 19
    assert rows["0900000006"]["health_status"] == "healthy"  # ASR 50 %
    assert rows["0900000007"]["health_status"] == "warning"  # ASR 20 %
    assert [r["cid"] for r in rows.values()][:4] == ["0900000005", "0900000006", "0900000007", "0900000004"]


def test_caller_id_health_total_equals_dashboard_dials_on_pool_cids(api):
    total = sum(r["total_calls"] for r in data("caller-id-health", DAY))
    assert total == 3  # calls 1, 2 and 9; call 8 used an unknown caller ID


# -- hour-dow-heatmap ---------------------------------------------------------------------------


def test_heatmap_has_168_ordered_cells(api):
    cells = data("hour-dow-heatmap", DAY)
    assert [(c["day_of_week"], c["hour"]) for c in cells] == [(d, h) for d in range(7) for h in range(24)]
    by_key = {(c["day_of_week"], c["hour"]): c for c in cells}
    assert by_key[(1, 9)] == {"day_of_week": 1, "hour": 9, "dials": 5, "answered": 2, "answer_rate_pct": 40.0}
    assert by_key[(1, 10)] == {"day_of_week": 1, "hour": 10, "dials": 2, "answered": 2, "answer_rate_pct": 100.0}
    assert by_key[(1, 23)]["dials"] == 1
    assert sum(c["dials"] for c in cells) == 8


def test_heatmap_in_local_time(api):
    cells = {
        (c["day_of_week"], c["hour"]): c for c in data("hour-dow-heatmap", {**DAY, "timezone": "Asia/Ho_Chi_Minh"})
    }
    assert cells[(1, 16)]["dials"] == 5  # 09:xxZ is 16:xx in UTC+7
    assert cells[(2, 6)]["dials"] == 1  # Monday 23:30Z is Tuesday 06:30 local


# -- time-series --------------------------------------------------------------------------------


def test_time_series_by_day_in_local_time(api):
    assert data("time-series", {**DAY, "timezone": "Asia/Ho_Chi_Minh"}) == [
        {"bucket": "2026-06-01", "dials": 7, "answers": 4, "talk_sec": 145, "conversions": 1},
        {"bucket": "2026-06-02", "dials": 1, "answers": 1, "talk_sec": 40, "conversions": 1},
    ]


def test_time_series_kolkata_half_hour_offset(api):
    assert data("time-series", {**DAY, "timezone": "Asia/Kolkata", "group_by": "hour"}) == [
        {"bucket": "2026-06-01 14:00:00", "dials": 4, "answers": 2, "talk_sec": 105, "conversions": 1},
        {"bucket": "2026-06-01 15:00:00", "dials": 3, "answers": 2, "talk_sec": 40, "conversions": 0},
        {"bucket": "2026-06-02 05:00:00", "dials": 1, "answers": 1, "talk_sec": 40, "conversions": 1},
    ]


def test_time_series_kathmandu_quarter_hour_offset(api):
    # +05:45: 09:00, 09:05, 09:10 -> 14:45..14:55; 09:20, 09:30 -> 15:05, 15:15; 10:15, 10:20 -> 16:00, 16:05
    rows = data("time-series", {**DAY, "timezone": "Asia/Kathmandu", "group_by": "hour"})
    assert [(r["bucket"], r["dials"]) for r in rows] == [
        ("2026-06-01 14:00:00", 3), ("2026-06-01 15:00:00", 2), ("2026-06-01 16:00:00", 2),
        ("2026-06-02 05:00:00", 1),
    ]  # fmt: skip


def test_time_series_dst_spring_forward_new_york(api):
    rows = data(
        "time-series",
        {"date_from": "2026-03-08", "date_to": "2026-03-08", "timezone": "America/New_York", "group_by": "hour"},
    )
    assert [(r["bucket"], r["dials"]) for r in rows] == [("2026-03-08 01:00:00", 1), ("2026-03-08 03:00:00", 1)]


def test_time_series_dst_fall_back_merges_the_repeated_hour(api):
    rows = data(
        "time-series",
        {"date_from": "2026-11-01", "date_to": "2026-11-01", "timezone": "America/New_York", "group_by": "hour"},
    )
    assert rows == [{"bucket": "2026-11-01 01:00:00", "dials": 2, "answers": 1, "talk_sec": 12, "conversions": 0}]


def test_time_series_iso_week_53(api):
    rows = data("time-series", {"date_from": "2026-12-20", "date_to": "2027-01-10", "group_by": "week"})
    assert [(r["bucket"], r["dials"]) for r in rows] == [("2026-W53", 2), ("2027-W01", 1)]


def test_time_series_sums_equal_dashboard(api):
    for tz in ("UTC", "Asia/Kolkata", "America/New_York"):
        for group_by in ("day", "week", "hour"):
            rows = data("time-series", {**DAY, "timezone": tz, "group_by": group_by})
            dash = data("dashboard", DAY)
            assert sum(r["dials"] for r in rows) == dash["total_dials"]
            assert sum(r["answers"] for r in rows) == dash["total_answers"]
            assert sum(r["talk_sec"] for r in rows) == int(dash["total_talk_time_sec"])
            assert sum(r["conversions"] for r in rows) == dash["total_conversions"]


# -- abandon-rate -------------------------------------------------------------------------------


def test_abandon_rate_is_live_and_counts_answered_calls(api):
    body = data("abandon-rate", {"campaign_id": "43"})
    current = body["current"]
    # 9 connected + 1 abandoned in the last 30 days; the no_answer is not an answered call, and the
    # abandoned call 40 days ago is outside the window.
    assert (current["attempts_total"], current["attempts_abandoned"]) == (10, 1)
    assert current["abandon_rate_pct"] == 10.0 and current["breached"] is True
    assert current["limit_pct"] == 3 and current["window_minutes"] == 43200
    assert current["campaign_name"] == "Outbound Sales Q3-2026 03" and current["campaign_status"] == "active"
    assert current["tenant_id"] == 1 and current["campaign_id"] == 43
    assert len(current["window_from"]) == 19 and current["window_to"][10] == " "
    assert body["breaches"] == []


def test_abandon_rate_window_minutes_and_limit(api):
    body = data("abandon-rate", {"campaign_id": "45", "window_minutes": "60"})
    assert body["current"]["limit_pct"] == 2.5 and body["current"]["attempts_total"] == 0
    assert body["current"]["breached"] is False and body["current"]["abandon_rate_pct"] == 0


def test_abandon_rate_ignores_dates_and_filters(api):
    a = data("abandon-rate", {"campaign_id": "43"})["current"]
    b = data("abandon-rate", {"campaign_id": "43", "date_from": "junk", "agent_ids[]": "x", "group_by": "z"})["current"]
    assert (a["attempts_total"], a["attempts_abandoned"]) == (b["attempts_total"], b["attempts_abandoned"])


def test_unknown_params_and_group_by_on_other_reports_are_ignored(api):
    assert data("dashboard", {**DAY, "group_by": "nonsense", "foo": "bar"}) == data("dashboard", DAY)


# -- tenancy ------------------------------------------------------------------------------------


def test_other_tenant_sees_only_its_rows(api):
    dash = data("dashboard", DAY, tenant=2)
    assert (dash["total_dials"], dash["total_conversions"]) == (4, 0)  # "sale" is no conversion for tenant 2
    agents = data("agent-performance", DAY, tenant=2)
    assert [(a["agent_id"], a["name"]) for a in agents] == [(3, "(unknown)"), (50, "Agent Năm")]
    pool = data("caller-id-health", DAY, tenant=2)
    assert [(p["cid"], p["display_name"], p["total_calls"]) for p in pool] == [("0900000001", "T2 line", 3)]
    assert data("disposition-breakdown", DAY, tenant=2)[0]["label"] == "Bán"


@pytest.mark.parametrize(
    ("key", "value", "error_key"),
    [("campaign_id", "90", "campaign_id"), ("team_id", "70", "team_id"), ("agent_ids[]", "50", "agent_ids.0")],
)
def test_other_tenants_ids_are_unknown(api, key, value, error_key):
    status, body = call("dashboard", {**DAY, key: value}, tenant=1)
    assert status == 422
    assert list(body["errors"]) == [error_key]
    status_missing, body_missing = call("dashboard", {**DAY, key: "123456"}, tenant=1)
    assert (status_missing, list(body_missing["errors"])) == (422, [error_key])
    assert body["errors"][error_key][0].replace("90", "X").replace("70", "X") == body_missing["errors"][error_key][
        0
    ].replace("123456", "X")


def test_tenant_is_never_taken_from_parameters(api):
    assert data("dashboard", {**DAY, "tenant_id": "2"}, tenant=1) == data("dashboard", DAY, tenant=1)
