"""An independent, deliberately plain Python computation of every report from the raw rows,
written straight from docs/api-reference.md (§1-3, §6.2-6.4). The property tests compare the API against it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row

TABLES = ("campaigns", "teams", "users", "dispositions", "leads", "caller_ids", "calls")
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def load(url: str) -> dict[str, list[dict]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return {t: conn.execute(f"select * from raw.{t}").fetchall() for t in TABLES}


def _round(num: int, den: int, places: int, scale: int = 100) -> Decimal:
    if not den:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    value = Decimal(num * scale) / Decimal(den)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def pct_s(num, den, places=2):
    return str(_round(num, den, places))


def pct_n(num, den, places):
    return float(_round(num, den, places))


def ratio_int(num, den):
    return int(_round(num, den, 0, scale=1))


class Reference:
    def __init__(self, raw: dict[str, list[dict]], tenant: int):
        self.t = tenant
        self.users = {u["id"]: u for u in raw["users"] if u["tenant_id"] == tenant}
        self.disp = {d["code"]: d for d in raw["dispositions"] if d["tenant_id"] == tenant}
        self.calls = [c for c in raw["calls"] if c["tenant_id"] == tenant]
        self.leads = [lead for lead in raw["leads"] if lead["tenant_id"] == tenant]
        self.pool = [p for p in raw["caller_ids"] if p["tenant_id"] == tenant]

    # -- classification (docs/api-reference.md §2)
    @staticmethod
    def dial(c):
        return c["result"] != "blocked"

    @staticmethod
    def answered(c):
        return c["result"] in ("connected", "abandoned")

    def conversion(self, c):
        d = self.disp.get(c["disposition_code"]) if c["disposition_code"] is not None else None
        return self.answered(c) and d is not None and d["is_conversion"]

    def passes(self, c, start, end, campaign=None, agents=(), team=None):
        if not (start <= c["started_at"] < end):
            return False
        if campaign is not None and c["campaign_id"] != campaign:
            return False
        if agents and c["agent_id"] not in agents:
            return False
        if team is not None:
            call_team = c["team_id"]
            if call_team is None:
                user = self.users.get(c["agent_id"])
                call_team = user["team_id"] if user else None
            if call_team != team:
                return False
        return True

    def window(self, start, end, **f):
        return [c for c in self.calls if self.passes(c, start, end, **f)]

    # -- reports (docs/api-reference.md §3)
    def dashboard(self, start, end, **f):
        calls = self.window(start, end, **f)
        dials = [c for c in calls if self.dial(c)]
        answers = sum(1 for c in dials if self.answered(c))
        talk = sum(c["talk_sec"] for c in dials)
        handle = sum(c["talk_sec"] + c["hold_sec"] + c["wrap_sec"] for c in dials)
        conv = sum(1 for c in dials if self.conversion(c))
        return {
            "total_dials": len(dials),
            "total_answers": answers,
            "answer_rate_pct": pct_s(answers, len(dials)),
            "avg_talk_time_sec": str(_round(talk, answers, 1, scale=1)),
            "total_talk_time_sec": str(talk),
            "unique_agents": len({c["agent_id"] for c in dials if c["agent_id"] is not None}),
            "pdpl_blocked_count": sum(
                1 for c in calls if c["result"] == "blocked" and c["block_reason"] == "pdpl_window"
            ),
            "total_conversions": conv,
            "conversion_rate_pct": pct_s(conv, answers),
            "avg_aht_sec": ratio_int(handle, answers),
        }

    def agent_performance(self, start, end, **f):
        per = defaultdict(list)
        for c in self.window(start, end, **f):
            if self.dial(c) and c["agent_id"] is not None:
                per[c["agent_id"]].append(c)
        rows = []
        for agent, calls in per.items():
            answers = sum(1 for c in calls if self.answered(c))
            conv = sum(1 for c in calls if self.conversion(c))
            user = self.users.get(agent)
            rows.append({
                "agent_id": agent, "name": user["name"].strip() if user else "(unknown)",
                "username": user["username"].strip() if user else "", "dials": len(calls), "answers": answers,
                "avg_aht_sec": ratio_int(sum(c["talk_sec"] + c["hold_sec"] + c["wrap_sec"] for c in calls), answers),
                "conversions": conv, "conv_rate": pct_n(conv, answers, 2),
            })  # fmt: skip
        return sorted(rows, key=lambda r: (-r["conversions"], r["agent_id"]))

    def disposition_breakdown(self, start, end, **f):
        counts = defaultdict(int)
        for c in self.window(start, end, **f):
            if self.dial(c) and c["disposition_code"] is not None:
                counts[c["disposition_code"]] += 1
        total = sum(counts.values())
        rows = []
        for code, n in counts.items():
            d = self.disp.get(code)
            rows.append({
                "code": code, "label": d["label"].strip() if d else code, "category": d["category"] if d else None,
                "color": d["color"] if d else "#9CA3AF", "count": n, "pct": pct_s(n, total),
            })  # fmt: skip
        return sorted(rows, key=lambda r: (-r["count"], r["code"].encode("utf-8")))

    def _pool(self, start, end, **f):
        """(pool row, total, answered, talk, short, rejected, health status) per caller ID of the pool."""
        calls = [c for c in self.window(start, end, **f) if self.dial(c)]
        for p in self.pool:
            mine = [c for c in calls if c["caller_id"] == p["cid"]]
            total = len(mine)
            answered = sum(1 for c in mine if self.answered(c))
            short = sum(1 for c in mine if c["result"] == "connected" and c["talk_sec"] < 10)
            rejected = sum(1 for c in mine if c["result"] == "rejected")
            asr = Decimal(answered * 100) / total if total else Decimal(0)
            rej = Decimal(rejected * 100) / total if total else Decimal(0)
            sh = Decimal(short * 100) / total if total else Decimal(0)
            if total < 20:
                status = "no_data"
            elif asr < 10 or rej >= 30 or sh >= 50:
                status = "suspected_block"
            elif asr < 25 or rej >= 10 or sh >= 30:
                status = "warning"
            else:
                status = "healthy"
            yield p, total, answered, sum(c["talk_sec"] for c in mine), short, rejected, status

    def caller_id_health(self, start, end, **f):
        rows = []
        for p, total, answered, talk, short, rejected, status in self._pool(start, end, **f):
            until = p["cooldown_until"]
            rows.append({
                "cid": p["cid"], "display_name": p["display_name"] and p["display_name"].strip(), "carrier": p["carrier"],
                "cli_type": p["cli_type"], "pool_status": p["pool_status"],
                "cooldown_until": until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if until else None,
                "daily_cap": p["daily_cap"], "total_calls": total, "answered_calls": answered,
                "asr_pct": pct_n(answered, total, 1), "acd_sec": ratio_int(talk, answered),
                "short_calls": short, "short_call_ratio_pct": pct_n(short, total, 1), "rejected_calls": rejected,
                "health_status": status,
            })  # fmt: skip
        return sorted(rows, key=lambda r: (-r["total_calls"], r["cid"].encode("utf-8")))

    # -- beyond the seed (docs/api-reference.md §6.3-6.4)
    def attempt_numbers(self) -> dict[int, int]:
        """call id -> its position among all of the tenant's dials of the same lead (started_at, then id)."""
        per_lead = defaultdict(list)
        for c in self.calls:
            if self.dial(c) and c["lead_id"] is not None:
                per_lead[c["lead_id"]].append(c)
        numbers = {}
        for calls in per_lead.values():
            for number, c in enumerate(sorted(calls, key=lambda c: (c["started_at"], c["id"])), start=1):
                numbers[c["id"]] = number
        return numbers

    def attempts(self, start, end, **f):
        numbers = self.attempt_numbers()
        per = defaultdict(lambda: [0, 0, 0, 0])
        for c in self.window(start, end, **f):
            if c["id"] in numbers:
                row = per[min(numbers[c["id"]], 10)]
                row[0] += 1
                row[1] += self.answered(c)
                row[2] += self.conversion(c)
                row[3] += c["talk_sec"]
        return [
            {"attempt": "10+" if n == 10 else str(n), "dials": v[0], "answers": v[1], "answer_rate_pct": pct_s(v[1], v[0]),
             "conversions": v[2], "conversion_rate_pct": pct_s(v[2], v[0]),
             "avg_talk_time_sec": str(_round(v[3], v[1], 1, scale=1))}
            for n, v in sorted(per.items())
        ]  # fmt: skip

    def carrier_health(self, start, end, **f):
        per = {}
        for p, total, answered, talk, short, rejected, status in self._pool(start, end, **f):
            row = per.setdefault(p["carrier"], {"ids": 0, "total": 0, "answered": 0, "talk": 0, "short": 0,
                                                "rejected": 0, "healthy": 0, "warning": 0, "suspected_block": 0,
                                                "no_data": 0})  # fmt: skip
            row["ids"] += 1
            row["total"] += total
            row["answered"] += answered
            row["talk"] += talk
            row["short"] += short
            row["rejected"] += rejected
            row[status] += 1
        rows = [
            {"carrier": carrier, "caller_ids": v["ids"], "total_calls": v["total"], "answered_calls": v["answered"],
             "asr_pct": pct_n(v["answered"], v["total"], 1), "acd_sec": ratio_int(v["talk"], v["answered"]),
             "short_call_ratio_pct": pct_n(v["short"], v["total"], 1),
             "rejected_ratio_pct": pct_n(v["rejected"], v["total"], 1),
             "healthy": v["healthy"], "warning": v["warning"], "suspected_block": v["suspected_block"],
             "no_data": v["no_data"]}
            for carrier, v in per.items()
        ]  # fmt: skip
        return sorted(rows, key=lambda r: (-r["total_calls"], r["carrier"].encode("utf-8")))

    def hour_dow_heatmap(self, start, end, timezone="UTC", **f):
        zone = ZoneInfo(timezone)
        cells = defaultdict(lambda: [0, 0])
        for c in self.window(start, end, **f):
            if self.dial(c):
                local = c["started_at"].astimezone(zone)
                key = ((local.weekday() + 1) % 7, local.hour)
                cells[key][0] += 1
                cells[key][1] += self.answered(c)
        return [
            {"day_of_week": d, "hour": h, "dials": cells[(d, h)][0], "answered": cells[(d, h)][1],
             "answer_rate_pct": pct_n(cells[(d, h)][1], cells[(d, h)][0], 1)}
            for d in range(7) for h in range(24)
        ]  # fmt: skip

    def time_series(self, start, end, timezone="UTC", group_by="day", **f):
        zone = ZoneInfo(timezone)
        buckets = defaultdict(lambda: [0, 0, 0, 0])
        for c in self.window(start, end, **f):
            if not self.dial(c):
                continue
            local = c["started_at"].astimezone(zone)
            if group_by == "day":
                key = local.strftime("%Y-%m-%d")
            elif group_by == "week":
                year, week, _ = local.isocalendar()
                key = f"{year}-W{week:02d}"
            else:
                key = local.strftime("%Y-%m-%d %H:00:00")
            b = buckets[key]
            b[0] += 1
            b[1] += self.answered(c)
            b[2] += c["talk_sec"]
            b[3] += self.conversion(c)
        return [
            {"bucket": k, "dials": v[0], "answers": v[1], "talk_sec": v[2], "conversions": v[3]}
            for k, v in sorted(buckets.items())
        ]

    def _cohort(self, start, end, campaign=None, **f):
        cohort = [
            lead for lead in self.leads
            if start <= lead["created_at"] < end and (campaign is None or lead["campaign_id"] == campaign)
        ]  # fmt: skip
        calls = defaultdict(list)
        for c in self.window(start, end, campaign=campaign, **f):
            if c["lead_id"] is not None:
                calls[c["lead_id"]].append(c)
        out = []
        for lead in cohort:
            mine = calls.get(lead["id"], [])
            source = (lead["source"] or "").strip() or "(unknown)"
            out.append((source, {
                "dialed": any(self.dial(c) for c in mine),
                "connected": any(self.answered(c) for c in mine),
                "talked": any(self.dial(c) and c["talk_sec"] > 30 for c in mine),
                "disposed": any(self.dial(c) and c["disposition_code"] is not None for c in mine),
                "converted": any(self.conversion(c) for c in mine),
            }))  # fmt: skip
        return out

    def funnel(self, start, end, **f):
        cohort = self._cohort(start, end, **f)
        names = [("Dialed", "dialed"), ("Connected", "connected"), ("Talked > 30s", "talked"),
                 ("Disposed", "disposed"), ("Converted", "converted")]  # fmt: skip
        return [{"stage": "Total leads", "count": len(cohort)}] + [
            {"stage": label, "count": sum(1 for _, s in cohort if s[key])} for label, key in names
        ]

    def lead_source_attribution(self, start, end, **f):
        per = defaultdict(lambda: [0, 0, 0, 0])
        for source, s in self._cohort(start, end, **f):
            row = per[source]
            row[0] += 1
            row[1] += s["dialed"]
            row[2] += s["connected"]
            row[3] += s["converted"]
        rows = [
            {"source": k, "total_leads": v[0], "dialed_count": v[1], "contacted_count": v[2], "conv_count": v[3],
             "conv_rate_pct": pct_s(v[3], v[0])}
            for k, v in per.items()
        ]  # fmt: skip
        return sorted(rows, key=lambda r: (-r["total_leads"], r["source"].encode("utf-8")))


def comparison_window(start: datetime, end: datetime, compare: str) -> tuple[datetime, datetime]:
    """docs/api-reference.md §6.2: the same length just before, or 52 weeks earlier."""
    if compare == "previous_period":
        return start - (end - start), start
    assert compare == "previous_year"
    return start - timedelta(weeks=52), end - timedelta(weeks=52)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
