"""The contract dataset: small hand-built raw data whose every report number is written out in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import Raw

NOW = datetime.now(UTC).replace(microsecond=0)


def contract_rows() -> Raw:
    r = Raw()
    # Tenant 1 -----------------------------------------------------------------------------
    r.tenant(1)
    r.campaign(43, 1, "Outbound Sales Q3-2026 03")
    r.campaign(44, 1, "Retention", status="paused")
    r.campaign(45, 1, "Strict limit", limit=2.5)
    r.team(7, 1, "Team Hà Nội")
    r.team(8, 1, "Team Sài Gòn")
    r.agent(3, 1, "Nguyễn Văn A", "agent01", team_id=7)
    r.agent(4, 1, "Trần Thị B", "agent02", team_id=8)
    r.agent(5, 1, "Lê Hoàng C", "agent03", team_id=None)
    r.disposition(1, "sale", "Sale Success", "contact", "#10B981", conv=True)
    r.disposition(1, "no_answer", "No Answer", "no_contact", "#6B7280")
    r.disposition(1, "callback", "Call back", "callback", "#F59E0B")
    r.caller_id(1, "0900000001", display_name="Sales Line 1", carrier="viettel", cli_type="fixed_02x")
    r.caller_id(
        1,
        "0900000002",
        carrier="mobifone",
        pool_status="cooldown",
        cooldown_until=datetime(2026, 6, 9, 2, 31, 14, tzinfo=UTC),
    )
    r.caller_id(1, "0900000003", pool_status="disabled", carrier="landline", cli_type="hotline_1900")
    for cid in ("0900000004", "0900000005", "0900000006", "0900000007"):
        r.caller_id(1, cid)
    # Leads of the funnel (created 2026-06-01 08:00 unless said otherwise)
    r.lead(1, 43, "2026-06-01 08:00", "facebook", id=1)
    r.lead(1, 43, "2026-06-01 08:00", "  facebook\u3000", id=2)  # trimmed -> facebook
    r.lead(1, 43, "2026-06-01 08:00", None, id=3)  # (unknown), never dialed
    r.lead(1, 43, "2026-06-01 08:00", "", id=4)  # (unknown)
    r.lead(1, 43, "2026-05-31 08:00", "facebook", id=5)  # outside the cohort
    r.lead(1, 44, "2026-06-01 08:00", "zalo", id=6)
    r.lead(1, 43, "2026-06-01 09:40", "web", id=7)  # its call came before it was created
    # Calls on Monday 2026-06-01 (UTC)
    r.call(
        1,
        43,
        "2026-06-01 09:00",
        "connected",
        id=1,
        agent_id=3,
        team_id=7,
        lead_id=1,
        caller_id="0900000001",
        talk_sec=100,
        hold_sec=10,
        wrap_sec=20,
        disposition_code="sale",
    )
    r.call(1, 43, "2026-06-01 09:05", "abandoned", id=2, lead_id=2, caller_id="0900000001")
    r.call(1, 43, "2026-06-01 09:10", "voicemail", id=3, agent_id=3, team_id=7, lead_id=5)
    r.call(
        1,
        43,
        "2026-06-01 09:20",
        "no_answer",
        id=4,
        agent_id=4,
        team_id=8,
        lead_id=4,
        talk_sec=5,
        disposition_code="sale",
    )  # conversion code on an unanswered call: not a conversion
    r.call(1, 43, "2026-06-01 09:30", "rejected", id=5, agent_id=4, team_id=None, lead_id=7)
    r.call(1, 43, "2026-06-01 10:00", "blocked", id=6, agent_id=3, block_reason="pdpl_window")
    r.call(1, 43, "2026-06-01 10:01", "blocked", id=7, agent_id=3, block_reason="dnc")
    r.call(
        1,
        43,
        "2026-06-01 10:15",
        "connected",
        id=8,
        agent_id=5,
        lead_id=1,
        caller_id="0999999999",
        talk_sec=31,
        disposition_code="legacy",
    )  # unknown caller ID and unknown code
    r.call(
        1,
        43,
        "2026-06-01 10:20",
        "connected",
        id=9,
        agent_id=99,
        caller_id="0900000002",
        talk_sec=9,
        disposition_code="callback",
    )  # unknown agent
    r.call(
        1,
        44,
        "2026-06-01 23:30",
        "connected",
        id=10,
        agent_id=3,
        team_id=7,
        lead_id=6,
        talk_sec=40,
        disposition_code="sale",
    )
    # Caller-ID health day 2026-06-03: thresholds and 1-dp rounding (1/16 = 6.25 -> 6.3)
    call_id = 100
    plans = {
        "0900000004": ["connected"] + ["no_answer"] * 15,
        "0900000005": ["connected"] + ["rejected"] * 19,
        "0900000006": ["connected"] * 10 + ["no_answer"] * 10,
        "0900000007": ["connected"] * 4 + ["no_answer"] * 16,
    }
    for cid, results in plans.items():
        for i, result in enumerate(results):
            call_id += 1
            r.call(
                1,
                44,
                f"2026-06-03 03:{i:02d}",
                result,
                id=call_id,
                caller_id=cid,
                talk_sec=60 if result == "connected" else 0,
            )
    # DST in America/New_York, ISO week 53
    r.call(1, 45, "2026-03-08 06:30", "no_answer", id=201)  # 01:30 EST
    r.call(1, 45, "2026-03-08 07:30", "no_answer", id=202)  # 03:30 EDT
    r.call(1, 45, "2026-11-01 05:30", "no_answer", id=203)  # 01:30 EDT
    r.call(1, 45, "2026-11-01 06:30", "connected", id=204, talk_sec=12)  # 01:30 EST, same local label
    r.call(1, 45, "2026-12-28 10:00", "no_answer", id=205)  # Monday of 2026-W53
    r.call(1, 45, "2027-01-01 10:00", "no_answer", id=206)  # Friday of 2026-W53
    r.call(1, 45, "2027-01-04 10:00", "no_answer", id=207)  # 2027-W01
    # Live figures relative to now: abandon rate and health_calls_today
    for i in range(9):
        r.call(1, 43, (NOW - timedelta(days=1, minutes=i)).isoformat(), "connected", id=300 + i, talk_sec=30)
    r.call(1, 43, (NOW - timedelta(days=1, minutes=20)).isoformat(), "abandoned", id=309)
    r.call(1, 43, (NOW - timedelta(days=1, minutes=21)).isoformat(), "no_answer", id=310)
    r.call(1, 43, (NOW - timedelta(days=40)).isoformat(), "abandoned", id=311)  # outside 30 days
    r.call(1, 43, NOW.isoformat(), "no_answer", id=312, caller_id="0900000003")
    r.call(1, 43, NOW.isoformat(), "blocked", id=313, caller_id="0900000003", block_reason="pdpl_window")
    # Tenant 2: same codes and caller IDs, its own ids; "sale" is NOT a conversion there -------
    r.tenant(2)
    r.campaign(90, 2, "Tenant two")
    r.team(70, 2, "T2 team")
    r.agent(50, 2, "Agent Năm", "t2agent", team_id=70)
    r.disposition(2, "sale", "Bán", "contact", "#000000", conv=False)
    r.caller_id(2, "0900000001", display_name="T2 line")
    r.lead(2, 90, "2026-06-01 08:00", "facebook", id=900)
    for i in range(3):
        r.call(
            2,
            90,
            f"2026-06-01 09:0{i}",
            "connected",
            id=900 + i,
            agent_id=50,
            team_id=70,
            lead_id=900,
            caller_id="0900000001",
            talk_sec=200,
            disposition_code="sale",
        )
    r.call(2, 90, "2026-06-01 09:30", "connected", id=910, agent_id=3, lead_id=1, talk_sec=50)  # tenant 1's ids
    return r
