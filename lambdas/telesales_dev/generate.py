"""Deterministic synthetic data for the raw tables (benchmarks, demos, tests).

`generate(url, options)` empties the raw tables and loads a whole dataset; `append_days(url, days)`
adds more days of calls (and leads) after the newest call, for incremental-build benchmarks.

Everything is a pure function of the seed and the options: the small tables (tenants, campaigns,
teams, users, dispositions, caller IDs) come from a seeded `random.Random`, the large ones (leads,
calls) from set-based SQL whose pseudo-randomness is `hashint8extended(row id, salt)` mapped to
[0, 1), so neither row order nor parallelism can change a single byte.

The volume shape lives in small per-(tenant, UTC hour) "slot" tables computed in Python (how many
rows start in that hour, with the hour/weekday pattern of a Vietnamese call centre, UTC+7); the
database expands each slot with `generate_series` and joins small lookup tables (campaigns, agents,
caller IDs, candidate leads) by index, so a 5-million-call load is a few hash joins.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from telesales_build.bootstrap import ensure_schema

RAW_TABLES = ("tenants", "campaigns", "teams", "users", "dispositions", "caller_ids", "leads", "calls")

# Ids of different tables live in different ranges so that a wrong join in a model shows up as
# missing rows instead of silently matching (each table's ids stay unique across tenants).
ID_BASE = {"campaigns": 100, "teams": 500, "users": 1_000, "leads": 100_000, "calls": 1_000_000}
UNKNOWN_AGENT_BASE = 9_000_000_000  # agent ids of dirty rows: never in raw.users

LOCAL_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh, no DST
HOUR = 3600
DAY = 86_400
LEAD_PRELUDE_DAYS = 7  # leads exist this long before the first call of a generated dataset
MAX_LAG_DAYS = 30  # a lead is called at most this long after it was created (bar a few)

# Dial volume by local hour (0-23) and local weekday (0 = Sunday). Attempts outside 08:00-21:00
# exist but are stopped by the calling-window gate (result blocked / pdpl_window).
HOUR_WEIGHT = (
    [0.003] * 6
    + [0.01, 0.04, 0.55, 1.0, 1.0, 0.9, 0.45, 0.7, 0.95, 1.0, 0.95, 0.75, 0.45, 0.3, 0.2, 0.02, 0.008]
    + [0.004]
)
DOW_WEIGHT = (0.2, 1.0, 1.0, 1.0, 1.0, 0.95, 0.6)
# Answer-rate multipliers: lunch is poor, evenings and weekends are good.
ANSWER_HOUR = [0.8] * 8 + [0.9, 1.0, 1.0, 0.95, 0.75, 0.85, 1.0, 1.0, 1.0, 1.05, 1.12, 1.15, 1.1] + [0.8] * 3
ANSWER_DOW = (1.1, 0.95, 1.0, 1.0, 1.0, 0.97, 1.05)
# New leads by local hour: web forms and social ads arrive around the clock, peaking in the evening.
LEAD_HOUR_WEIGHT = [0.15] * 6 + [0.3, 0.5, 0.8, 1.0, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1]
LEAD_HOUR_WEIGHT += [1.3, 1.4, 1.3, 0.9, 0.5]
LEAD_DOW_WEIGHT = (0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9)
BASE_ANSWER = 0.49  # probability that a person picks up, before the multipliers

FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 3),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trịnh", 1),
)
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Hoàng", "Công", "Thành", "Xuân", "Gia", "Anh", "Quốc")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mai", "Bảo", "Diệu", "Hồng", "Phương", "Khánh")
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa", "Long",
    "Minh", "Nam", "Nghĩa", "Phúc", "Phong", "Quân", "Sơn", "Tài", "Thắng", "Thịnh", "Toàn", "Trung",
    "Tuấn", "Việt", "Vinh", "Vũ", "Lộc", "Đông",
)  # fmt: skip
GIVEN_FEMALE = (
    "Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan",
    "Mai", "My", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Trâm", "Tuyết",
    "Uyên", "Vân", "Vy", "Yến", "Ánh",
)  # fmt: skip

TENANT_NAMES = (
    "Công ty Tài chính Ánh Dương",
    "Bảo hiểm Nhân thọ Phú Gia",
    "EduViet Anh ngữ",
    "Bất động sản Hưng Thịnh Land",
    "Viễn thông Sao Việt",
    "Ngân hàng số Lạc Hồng",
    "Mỹ phẩm Hoa Sen",
    "Du lịch Đất Việt",
)
CAMPAIGN_PRODUCTS = (
    "Outbound Sales",
    "Vay tiêu dùng",
    "Thẻ tín dụng",
    "Bảo hiểm sức khỏe",
    "Khóa học tiếng Anh",
    "Gói cước 5G",
    "Căn hộ Quận 9",
    "Tái tục hợp đồng",
    "Khách hàng cũ",
    "Ưu đãi Tết",
)
TEAM_PREFIX = ("Nhóm", "Team", "Đội")
TEAM_PLACES = ("Hà Nội", "Sài Gòn", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Biên Hòa", "Nha Trang", "Huế")

# code, English label, Vietnamese label, category, color, is_conversion
DISPOSITIONS = (
    ("sale", "Sale Success", "Bán thành công", "contact", "#10B981", True),
    ("interested", "Interested", "Quan tâm", "contact", "#3B82F6", False),
    ("callback_requested", "Callback Requested", "Hẹn gọi lại", "callback", "#F59E0B", False),
    ("not_interested", "Not Interested", "Không quan tâm", "contact", "#EF4444", False),
    ("already_customer", "Already a Customer", "Đã là khách hàng", "contact", "#8B5CF6", False),
    ("wrong_number", "Wrong Number", "Sai số", "remove", "#DC2626", False),
    ("do_not_call", "Do Not Call", "Không gọi lại", "remove", "#7F1D1D", False),
    ("no_answer", "No Answer", "Không nghe máy", "no_contact", "#6B7280", False),
    ("busy", "Busy", "Máy bận", "no_contact", "#A1A1AA", False),
    ("voicemail_left", "Voicemail Left", "Để lại lời nhắn", "no_contact", "#64748B", False),
    ("hung_up", "Hung Up", "Dập máy", "no_contact", "#F97316", False),
)
# Every other tenant has a second conversion code (so models must read is_conversion, not 'sale').
EXTRA_CONVERSION = ("appointment_set", "Appointment Set", "Đặt lịch hẹn", "contact", "#059669", True)

LEAD_SOURCES = (  # cumulative thresholds over one uniform draw
    (0.29, "facebook_lead_ads"),
    (0.46, "google_ads"),
    (0.57, "tiktok"),
    (0.68, "website_form"),
    (0.78, "zalo"),
    (0.84, "referral"),
    (0.88, "hotline_inbound"),
    (0.90, "event_offline"),
    (0.94, None),
    (0.955, ""),
    (0.96, "   "),
    (0.966, "  zalo "),
    (0.972, "\tgoogle_ads"),
    (0.977, "facebook_lead_ads\n"),
    (0.981, "tiktok\u00a0"),
    (0.985, " website_form"),
    (1.0, "facebook_lead_ads"),
)
MOBILE_PREFIXES = {
    "viettel": ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    "mobifone": ("089", "090", "093", "070", "076", "077", "078", "079"),
    "vinaphone": ("088", "091", "094", "081", "082", "083", "084", "085"),
    "vietnamobile": ("092", "056", "058"),
}
LEAD_PHONE_PREFIXES = tuple(p for prefixes in MOBILE_PREFIXES.values() for p in prefixes)


@dataclass
class GenerateOptions:
    """Sizes of a generated dataset. Counts are for the whole dataset, split across tenants
    (larger tenants first, at least one of each per tenant)."""

    tenants: int = 1
    campaigns: int = 20
    teams: int = 10
    agents: int = 200
    caller_ids: int = 500
    leads: int = 1_000_000
    calls: int = 5_000_000
    days: int = 120
    seed: int = 42
    end: datetime | None = None  # exclusive end of the period; default today 00:00 UTC


# --------------------------------------------------------------------------------------------
# Deterministic helpers


def _salt(seed: int, *parts: object) -> int:
    """A signed 64-bit salt for hashint8extended, distinct per (seed, purpose)."""
    digest = hashlib.blake2b(":".join(map(str, (seed, *parts))).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _trait(*parts: object) -> float:
    """A stable value in [0, 1) derived from stored data (same answer for generate and append)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class _Hashes:
    """SQL snippets for uniform [0, 1) draws keyed by a row id and a named purpose."""

    def __init__(self, seed: int, table: str, key: str) -> None:
        self.seed, self.table, self.key = seed, table, key

    def __call__(self, purpose: str, key: str | None = None) -> str:
        salt = _salt(self.seed, self.table, purpose)
        return f"((hashint8extended({key or self.key}, {salt}) & 4503599627370495)::float8 / 4503599627370496.0)"


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder, stable ties)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [math.floor(x) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in order[:rest]:
        counts[k] += 1
    return counts


def _split(total: int, tenants: int) -> list[int]:
    """Per-tenant counts: at least 1 each, the rest by tenant size (tenant 1 largest)."""
    weights = [1.0 / (k + 1) ** 0.6 for k in range(tenants)]
    return [1 + n for n in _apportion(max(0, total - tenants), weights)]


def _ts(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _local(epoch: int) -> tuple[int, int, int]:
    """(local hour, local weekday 0 = Sunday, local day number) of a UTC epoch second."""
    local = epoch + LOCAL_OFFSET
    day = local // DAY
    return (local % DAY) // HOUR, int((day + 4) % 7), day  # 1970-01-01 was a Thursday


# --------------------------------------------------------------------------------------------
# The small tables, built in Python


def _vietnamese_name(rng: random.Random) -> str:
    family = rng.choices([f for f, _ in FAMILY_NAMES], weights=[w for _, w in FAMILY_NAMES])[0]
    if rng.random() < 0.55:
        return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
    if rng.random() < 0.15:  # some names have two middle names
        return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"


def _caller_id(rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
    """(cid, carrier, cli_type), unique within the tenant."""
    while True:
        roll = rng.random()
        if roll < 0.55:
            cli_type = "mobile"
            carrier = rng.choices(list(MOBILE_PREFIXES), weights=[45, 25, 22, 8])[0]
            cid = rng.choice(MOBILE_PREFIXES[carrier]) + f"{rng.randrange(10**7):07d}"
        elif roll < 0.80:
            cli_type = "fixed_02x"
            carrier = rng.choices(["landline", "viettel", "vinaphone"], weights=[80, 10, 10])[0]
            area = rng.choices(["028", "024", "0236", "0292"], weights=[50, 35, 10, 5])[0]
            cid = area + f"{rng.randrange(10 ** (11 - len(area))):0{11 - len(area)}d}"
        elif roll < 0.88:
            cli_type, carrier = "hotline_1900", rng.choice(["other", "viettel", "vinaphone", "mobifone"])
            cid = f"1900{rng.randrange(10**4):04d}"
        elif roll < 0.95:
            cli_type, carrier = "hotline_1800", rng.choice(["other", "viettel", "vinaphone"])
            cid = f"1800{rng.randrange(10**4):04d}"
        else:
            cli_type, carrier = "brandname", rng.choice(["other", "viettel", "mobifone", "vietnamobile"])
            cid = rng.choice(["TSALES", "CSKH", "HOTDEAL", "UUDAI", "VNLOAN"]) + f"{rng.randrange(100):02d}"
        if cid not in taken:
            taken.add(cid)
            return cid, carrier, cli_type


def _dimensions(options: GenerateOptions, start: int, end: int) -> dict[str, list[tuple[Any, ...]]]:
    rng = random.Random(f"telesales:{options.seed}:dimensions")
    n_tenants = max(1, options.tenants)
    per = {name: _split(getattr(options, name), n_tenants) for name in ("campaigns", "teams", "agents", "caller_ids")}
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RAW_TABLES[:6]}
    ids = dict(ID_BASE)
    for t in range(n_tenants):
        tenant_id = t + 1
        name = TENANT_NAMES[t % len(TENANT_NAMES)]
        if t >= len(TENANT_NAMES):
            name += f" {t // len(TENANT_NAMES) + 1}"
        tenant_created = start - rng.randrange(400, 900) * DAY + rng.randrange(DAY)
        rows["tenants"].append((tenant_id, name, _ts(tenant_created)))

        for k in range(per["campaigns"][t]):
            ids["campaigns"] += 1
            status = "active" if k == 0 else rng.choices(
                ["active", "paused", "completed", "draft"], weights=[62, 14, 14, 10]
            )[0]  # fmt: skip
            limit = rng.choices([None, 3, 2.5], weights=[75, 15, 10])[0]
            created = start - (LEAD_PRELUDE_DAYS + rng.randrange(5, 200)) * DAY - rng.randrange(DAY)
            updated = created + rng.randrange(max(1, end - created)) if rng.random() < 0.8 else created
            quarter = f"Q{rng.randrange(1, 5)}-{_ts(start).year}"
            cname = f"{rng.choice(CAMPAIGN_PRODUCTS)} {quarter} {k + 1:02d}"
            limit_value = None if limit is None else f"{limit:.2f}"
            rows["campaigns"].append(
                (ids["campaigns"], tenant_id, cname, status, limit_value, _ts(created), _ts(updated))
            )

        team_ids = []
        for k in range(per["teams"][t]):
            ids["teams"] += 1
            team_ids.append(ids["teams"])
            tname = f"{rng.choice(TEAM_PREFIX)} {TEAM_PLACES[k % len(TEAM_PLACES)]} {k // len(TEAM_PLACES) + 1}"
            rows["teams"].append((ids["teams"], tenant_id, tname))

        width = max(3, len(str(per["agents"][t])))
        for k in range(per["agents"][t]):
            ids["users"] += 1
            team = None if rng.random() < 0.04 else team_ids[k % len(team_ids)]
            created = start - rng.randrange(10, 700) * DAY - rng.randrange(DAY)
            updated = created + rng.randrange(max(1, start - created)) if rng.random() < 0.7 else created
            rows["users"].append(
                (
                    ids["users"],
                    tenant_id,
                    team,
                    _vietnamese_name(rng),
                    f"agent{k + 1:0{width}d}",
                    _ts(created),
                    _ts(updated),
                )
            )

        vietnamese = t % 2 == 1
        codes = DISPOSITIONS + ((EXTRA_CONVERSION,) if vietnamese else ())
        for code, label_en, label_vi, category, color, conversion in codes:
            rows["dispositions"].append(
                (tenant_id, code, label_vi if vietnamese else label_en, category, color, conversion)
            )

        taken: set[str] = set()
        for _ in range(per["caller_ids"][t]):
            cid, carrier, cli_type = _caller_id(rng, taken)
            display = None
            if rng.random() >= 0.25:
                display = rng.choice(["Sales Line", "Tổng đài", "CSKH", "Hotline", "Telesale"])
                display += f" {rng.randrange(1, 100)}"
            status = rng.choices(["active", "cooldown", "paused", "disabled"], weights=[78, 10, 7, 5])[0]
            cooldown = _ts(end + rng.randrange(HOUR, 72 * HOUR)) if status == "cooldown" else None
            created = start - rng.randrange(1, 365) * DAY - rng.randrange(DAY)
            updated = end - rng.randrange(1, 30 * DAY) if status != "active" else created
            cap = rng.randrange(10, 51) * 10
            rows["caller_ids"].append(
                (
                    tenant_id,
                    cid,
                    display,
                    carrier,
                    cli_type,
                    status,
                    cooldown,
                    cap,
                    _ts(created),
                    _ts(max(created, updated)),
                )
            )
    return rows


COLUMNS = {
    "tenants": ("id", "name", "created_at"),
    "campaigns": ("id", "tenant_id", "name", "status", "abandon_limit_pct", "created_at", "updated_at"),
    "teams": ("id", "tenant_id", "name"),
    "users": ("id", "tenant_id", "team_id", "name", "username", "created_at", "updated_at"),
    "dispositions": ("tenant_id", "code", "label", "category", "color", "is_conversion"),
    "caller_ids": (
        "tenant_id",
        "cid",
        "display_name",
        "carrier",
        "cli_type",
        "pool_status",
        "cooldown_until",
        "daily_cap",
        "created_at",
        "updated_at",
    ),
}


def _copy_rows(conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    with conn.cursor().copy(f"copy {table} ({', '.join(columns)}) from stdin") as copy:
        for row in rows:
            copy.write_row(row)


# --------------------------------------------------------------------------------------------
# Lookup tables for the set-based part, read back from the database (so append_days sees
# exactly what generate loaded)


@dataclass
class _Tenant:
    tenant_id: int
    n_camp: int
    n_agent: int
    n_cid: int
    has_appt: bool


def _prepare_session(conn: psycopg.Connection) -> None:
    conn.execute("set timezone = 'UTC'")
    conn.execute("set work_mem = '256MB'")
    conn.execute("set maintenance_work_mem = '512MB'")
    conn.execute("set synchronous_commit = off")
    conn.execute("set jit = off")


def _lookups(conn: psycopg.Connection) -> list[_Tenant]:
    """Temp tables gp_camp / gp_agent / gp_cid (0-based idx per tenant) with per-entity traits."""
    camps = conn.execute(
        "select tenant_id, id, name, status, created_at from raw.campaigns order by tenant_id, id"
    ).fetchall()
    agents = conn.execute("select tenant_id, id, team_id, name from raw.users order by tenant_id, id").fetchall()
    cids = conn.execute("select tenant_id, cid, pool_status from raw.caller_ids").fetchall()
    appt = {
        r[0]
        for r in conn.execute(
            "select tenant_id from raw.dispositions where code = %s", (EXTRA_CONVERSION[0],)
        ).fetchall()
    }

    camp_rows, agent_rows, cid_rows = [], [], []
    by_tenant: dict[int, list] = {}
    for tenant_id, cid, name, status, created in camps:
        by_tenant.setdefault(tenant_id, []).append((cid, name, status, created))
    callable_count: dict[int, int] = {}
    for tenant_id, rows in by_tenant.items():
        usable = [r for r in rows if r[2] != "draft"] or rows
        callable_count[tenant_id] = len(usable)
        for idx, (cid, name, _status, created) in enumerate(usable):
            trait = _trait("campaign", cid, name, created.isoformat())
            aband = 0.015 + 0.07 * trait**1.4  # share of person-answers abandoned, 1.5 %..8.5 %
            conv = 0.75 + 0.5 * _trait("conv", cid, name)
            predictive = _trait("mode", cid, name) < 0.5
            camp_rows.append((tenant_id, idx, cid, aband, conv, predictive))

    agent_count: dict[int, int] = {}
    for tenant_id, uid, team_id, name in agents:
        idx = agent_count.get(tenant_id, 0)
        agent_count[tenant_id] = idx + 1
        skill = 0.6 + 0.8 * _trait("skill", uid, name)
        agent_rows.append((tenant_id, idx, uid, team_id, skill))

    cid_count: dict[int, int] = {}
    for tenant_id, cid, status in sorted(cids, key=lambda r: (r[0], r[1].encode())):
        idx = cid_count.get(tenant_id, 0)
        cid_count[tenant_id] = idx + 1
        trait = _trait("cid", tenant_id, cid)
        bad_share = {"active": 0.04, "cooldown": 0.5, "paused": 0.3, "disabled": 0.4}.get(status, 0.1)
        if trait < bad_share:  # flagged as spam by the carrier: few answers, many rejects
            ans, rej, short = 0.2, 0.45, 0.5
        elif trait < bad_share + 0.12:
            ans, rej, short = 0.55, 0.22, 0.25
        else:
            ans, rej, short = 0.9 + 0.2 * _trait("asr", tenant_id, cid), 0.08, 0.08
        cid_rows.append((tenant_id, idx, cid, ans, rej, short))

    conn.execute("drop table if exists gp_camp, gp_agent, gp_cid")
    conn.execute(
        "create temp table gp_camp (tenant_id bigint, idx int, id bigint, aband float8, conv float8,"
        " predictive boolean)"
    )
    conn.execute("create temp table gp_agent (tenant_id bigint, idx int, id bigint, team_id bigint, skill float8)")
    conn.execute("create temp table gp_cid (tenant_id bigint, idx int, cid text, ans float8, rej float8, short float8)")
    _copy_rows(conn, "gp_camp", ("tenant_id", "idx", "id", "aband", "conv", "predictive"), camp_rows)
    _copy_rows(conn, "gp_agent", ("tenant_id", "idx", "id", "team_id", "skill"), agent_rows)
    _copy_rows(conn, "gp_cid", ("tenant_id", "idx", "cid", "ans", "rej", "short"), cid_rows)
    conn.execute("analyze gp_camp, gp_agent, gp_cid")

    tenants = []
    for tenant_id in sorted(callable_count):
        if agent_count.get(tenant_id) and cid_count.get(tenant_id):
            tenants.append(
                _Tenant(
                    tenant_id,
                    callable_count[tenant_id],
                    agent_count[tenant_id],
                    cid_count[tenant_id],
                    tenant_id in appt,
                )
            )
    return tenants


# --------------------------------------------------------------------------------------------
# Slots: how many rows start in each (UTC hour, tenant)


def _slots(
    seed: int,
    kind: str,
    totals: dict[int, int],
    start: int,
    end: int,
    hour_weight: Sequence[float],
    dow_weight: Sequence[float],
    first_id: int,
) -> list[tuple[int, int, int, int, int]]:
    """(tenant_id, first_id, n, slot_epoch, span) per non-empty slot: n rows start in
    [slot_epoch, slot_epoch + span), inside [start, end); ids ascend with time, then tenant."""
    hours = list(range(start // HOUR * HOUR, end, HOUR))
    per_tenant: dict[int, list[int]] = {}
    for tenant_id, total in totals.items():
        weights = []
        noise: dict[int, list[float]] = {}  # per local day: the day's level, then each hour's
        for h in hours:
            local_hour, dow, day = _local(h)
            if day not in noise:
                rng = random.Random(f"telesales:{seed}:{kind}:{tenant_id}:{day}")
                level = rng.uniform(0.82, 1.18)
                noise[day] = [level * rng.uniform(0.88, 1.12) for _ in range(24)]
            # the first/last hour may be partial
            covered = (min(end, h + HOUR) - max(start, h)) / HOUR
            weights.append(hour_weight[local_hour] * dow_weight[dow] * noise[day][local_hour] * covered)
        per_tenant[tenant_id] = _apportion(total, weights)
    slots = []
    next_id = first_id
    for k, h in enumerate(hours):
        for tenant_id in sorted(per_tenant):
            n = per_tenant[tenant_id][k]
            if n:
                lo = max(start, h)
                slots.append((tenant_id, next_id, n, lo, min(end, h + HOUR) - lo))
                next_id += n
    return slots


# --------------------------------------------------------------------------------------------
# The set-based loads


def _insert_leads(
    conn: psycopg.Connection,
    seed: int,
    tenants: list[_Tenant],
    slots: list[tuple[int, int, int, int, int]],
    end: int,
) -> int:
    conn.execute("drop table if exists gp_lslot")
    conn.execute("create temp table gp_lslot (tenant_id bigint, first_id bigint, n int, slot_epoch bigint, span int)")
    _copy_rows(conn, "gp_lslot", ("tenant_id", "first_id", "n", "slot_epoch", "span"), slots)
    conn.execute("drop table if exists gp_tenant")
    conn.execute("create temp table gp_tenant (tenant_id bigint, n_camp int, n_agent int, n_cid int, has_appt bool)")
    _copy_rows(
        conn,
        "gp_tenant",
        ("tenant_id", "n_camp", "n_agent", "n_cid", "has_appt"),
        [(t.tenant_id, t.n_camp, t.n_agent, t.n_cid, t.has_appt) for t in tenants],
    )
    conn.execute("analyze gp_lslot, gp_tenant")
    u = _Hashes(seed, "leads", "i")
    source = "case " + " ".join(
        f"when {u('source')} < {limit} then {_sql_literal(value)}" for limit, value in LEAD_SOURCES[:-1]
    )
    source += f" else {_sql_literal(LEAD_SOURCES[-1][1])} end"
    prefixes = "array[" + ", ".join(f"'{p}'" for p in LEAD_PHONE_PREFIXES) + "]"
    digits = f"lpad(((hashint8extended(i, {_salt(seed, 'leads', 'digits')}) & 2147483647) % 10000000)::text, 7, '0')"
    prefix = f"({prefixes})[1 + floor({u('prefix')} * {len(LEAD_PHONE_PREFIXES)})::int]"
    phone = f"case when {u('intl')} < 0.05 then '+84' || substr({prefix}, 2) else {prefix} end || {digits}"
    created = f"s.slot_epoch + floor({u('created')} * s.span)::bigint"
    sql = f"""
        insert into raw.leads (id, tenant_id, campaign_id, source, phone, created_at, updated_at)
        select l.id, l.tenant_id, c.id, l.source, l.phone, to_timestamp(l.created),
               to_timestamp(greatest(l.created, least(l.created + l.touch, {end} - 1)))
        from (
            select i as id, s.tenant_id, {source} as source, {phone} as phone, {created} as created,
                   case when {u("touched")} < 0.35 then 0
                        else floor({u("touch")} * 7 * 86400)::bigint end as touch,
                   floor(t.n_camp * power({u("campaign")}, 1.6))::int as camp_idx
            from gp_lslot s
            join gp_tenant t on t.tenant_id = s.tenant_id
            cross join lateral generate_series(s.first_id, s.first_id + s.n - 1) as i
        ) l
        join gp_camp c on c.tenant_id = l.tenant_id and c.idx = l.camp_idx
    """
    return conn.execute(sql).rowcount


def _sql_literal(value: str | None) -> str:
    if value is None:
        return "null::text"
    escaped = value.replace("'", "''")
    if any(ch in value for ch in "\t\n\r\u00a0"):
        return "U&'" + "".join(ch if ch.isalnum() or ch in " _" else f"\\{ord(ch):04X}" for ch in escaped) + "'"
    return f"'{escaped}'"


def _candidate_leads(conn: psycopg.Connection, since: int | None, first_call_hour: int, last_call_hour: int):
    """gp_lead: the leads calls may pick (rn per tenant by created_at); gp_lhour: per tenant and
    UTC hour number, rn_hi = leads created before that hour, rn_lo = before the hour before."""
    conn.execute("drop table if exists gp_lead, gp_lhour")
    where = "" if since is None else f"and created_at >= to_timestamp({since})"
    # About 18 % of leads are never dialed (duplicates, out of area, ...): a trait of the phone.
    conn.execute(f"""
        create temp table gp_lead as
        select tenant_id, row_number() over (partition by tenant_id order by created_at, id) as rn,
               id, campaign_id, floor(extract(epoch from created_at) / 3600)::bigint as hr
        from raw.leads
        where (hashtextextended(phone, 7) & 1023) >= 184 {where}
    """)
    conn.execute("analyze gp_lead")
    conn.execute(f"""
        create temp table gp_lhour as
        with cnt as (
            select tenant_id, hr, count(*) as n from gp_lead group by 1, 2
        ), bounds as (
            select tenant_id, least(min(hr), {first_call_hour - (MAX_LAG_DAYS + 1) * 24}) as h0
            from gp_lead group by 1
        ), hrs as (
            select b.tenant_id, h from bounds b, generate_series(b.h0, {last_call_hour}) as h
        ), filled as (
            select hrs.tenant_id, hrs.h as hr,
                   coalesce(sum(cnt.n) over (partition by hrs.tenant_id order by hrs.h), 0)
                   - coalesce(cnt.n, 0) as rn_hi
            from hrs left join cnt on cnt.tenant_id = hrs.tenant_id and cnt.hr = hrs.h
        )
        select tenant_id, hr, rn_hi::bigint as rn_hi,
               coalesce(lag(rn_hi) over (partition by tenant_id order by hr), 0)::bigint as rn_lo
        from filled
    """)
    conn.execute("analyze gp_lhour")
    stats = conn.execute("select tenant_id, count(*), min(hr) from gp_lead group by 1").fetchall()
    return {r[0]: (r[1], r[2]) for r in stats}


def _insert_calls(
    conn: psycopg.Connection,
    seed: int,
    tenants: list[_Tenant],
    slots: list[tuple[int, int, int, int, int]],
    lead_stats: dict[int, tuple[int, int]],
) -> int:
    if not slots:
        return 0
    by_id = {t.tenant_id: t for t in tenants}
    rows = []
    for tenant_id, first_id, n, epoch, span in slots:
        local_hour, dow, _day = _local(epoch)
        n_cand, first_lead_hr = lead_stats.get(tenant_id, (0, epoch // HOUR))
        t = by_id[tenant_id]
        rows.append(
            (
                tenant_id,
                first_id,
                n,
                epoch,
                span,
                8 <= local_hour < 21,
                ANSWER_HOUR[local_hour] * ANSWER_DOW[dow],
                t.n_camp,
                t.n_agent,
                t.n_cid,
                t.has_appt,
                n_cand,
                first_lead_hr,
            )
        )
    cols = [
        "tenant_id",
        "first_id",
        "n",
        "slot_epoch",
        "span",
        "in_window",
        "ans_factor",
        "n_camp",
        "n_agent",
        "n_cid",
        "has_appt",
        "n_cand",
        "first_lead_hr",
    ]
    conn.execute("drop table if exists gp_slot")
    conn.execute(
        "create temp table gp_slot (tenant_id bigint, first_id bigint, n int, slot_epoch bigint, span int,"
        " in_window boolean, ans_factor float8, n_camp int, n_agent int, n_cid int, has_appt boolean,"
        " n_cand bigint, first_lead_hr bigint)"
    )
    _copy_rows(conn, "gp_slot", cols, rows)
    conn.execute("analyze gp_slot")

    id0 = slots[0][1]
    total = sum(s[2] for s in slots)
    # Deliberately dirty rows: a handful per 100k calls, and at least a few in any batch >= 1000.
    stride = max(8, min(20_000, total // 4))
    return conn.execute(CALL_INSERT + _calls_select(seed, id0, stride)).rowcount


CALL_INSERT = """
    insert into raw.calls (id, tenant_id, campaign_id, lead_id, agent_id, team_id, caller_id, started_at,
                           answered_at, ended_at, result, block_reason, talk_sec, hold_sec, wrap_sec,
                           disposition_code, updated_at)
"""


def _calls_select(seed: int, id0: int, stride: int) -> str:
    """The calls of the slots in gp_slot, as one set-based select (see gp_* temp tables)."""
    u = _Hashes(seed, "calls", "i")
    return f"""
    with b as (
        select i as id, s.tenant_id, s.in_window, s.ans_factor, s.has_appt, s.first_lead_hr,
               s.slot_epoch + floor({u("start")} * s.span)::bigint as st,
               {u("manual")} < 0.004 as manual,
               floor(s.n_camp * {u("mcamp")})::int as mcamp_idx,
               floor(s.n_agent * power({u("agent")}, 1.3))::int as agent_idx,
               floor(s.n_cid * {u("cid")})::int as cid_idx,
               case when {u("anylead")} < 0.001 or s.n_cand = 0 then 1 + floor(s.n_cand * {u("anyrn")})::bigint
               end as any_rn,
               {u("pick")} as u_pick,
               case when {u("lagk")} < 0.35 then {u("lag")} * 21600
                    when {u("lagk")} < 0.75 then 21600 + {u("lag")} * 237600
                    when {u("lagk")} < 0.95 then 259200 + {u("lag")} * 950400
                    else 1209600 + {u("lag")} * {(MAX_LAG_DAYS - 14) * DAY} end as lag,
               case (i - {id0}) % {stride}
                    when {stride // 8} then 0 when {3 * stride // 8} then 1
                    when {5 * stride // 8} then 2 when {7 * stride // 8} then 3 end as dk
        from gp_slot s
        cross join lateral generate_series(s.first_id, s.first_id + s.n - 1) as i
        offset 0
    ), b2 as (
        select b.*, least(greatest(floor((st - lag) / 3600)::bigint, first_lead_hr + 24), st / 3600) as tau_hr
        from b
        offset 0
    ), j as (
        select b2.*, mc.id as manual_campaign, ld.id as lead_id0, ld.campaign_id as lead_campaign
        from b2
        join gp_camp mc on mc.tenant_id = b2.tenant_id and mc.idx = b2.mcamp_idx
        left join gp_lhour lh on lh.tenant_id = b2.tenant_id and lh.hr = b2.tau_hr
        left join gp_lead ld on ld.tenant_id = b2.tenant_id and ld.rn = coalesce(
            b2.any_rn,
            case when lh.rn_hi > lh.rn_lo then lh.rn_lo + 1 + floor(b2.u_pick * (lh.rn_hi - lh.rn_lo))::bigint
                 when lh.rn_hi > 0 then lh.rn_hi
                 else 1 end)
        offset 0
    ), k as (
        select j.id, j.tenant_id, j.st, j.dk, j.has_appt,
               case when j.manual or j.lead_id0 is null then null else j.lead_id0 end as lead_id,
               case when j.manual or j.lead_id0 is null then j.manual_campaign else j.lead_campaign end
                   as campaign_id,
               ag.id as agent, ag.team_id as agent_team, ag.skill, cc.cid, cc.rej, cc.short,
               case when j.dk = 3 then 'no_answer'
                    when not j.in_window then 'blocked'
                    when {u("blocked", "j.id")} < 0.0035 then 'blocked'
                    when {u("answer", "j.id")} < least(0.92, {BASE_ANSWER} * j.ans_factor * cc.ans) then 'answered'
                    when {u("rest", "j.id")} < 0.16 then 'voicemail'
                    when {u("rest", "j.id")} < 0.29 then 'busy'
                    when {u("rest", "j.id")} < 0.37 then 'failed'
                    when {u("rest", "j.id")} < 0.37 + cc.rej then 'rejected'
                    else 'no_answer' end as result0,
               case when not j.in_window then 'pdpl_window'
                    when {u("blocked", "j.id")} < 0.003 then 'dnc' else 'other' end as block_reason0
        from j
        join gp_agent ag on ag.tenant_id = j.tenant_id and ag.idx = j.agent_idx
        join gp_cid cc on cc.tenant_id = j.tenant_id and cc.idx = j.cid_idx
        offset 0
    ), r as (
        select k.*, cp.predictive,
               case when k.result0 <> 'answered' then k.result0
                    when {u("abandon", "k.id")} < cp.aband then 'abandoned' else 'connected' end as result,
               least(0.6, 0.22 * k.skill * cp.conv) as p_sale,
               {u("short", "k.id")} < k.short as is_short,
               {u("disp", "k.id")} as v
        from k join gp_camp cp on cp.id = k.campaign_id
        offset 0
    ), d as (
        select r.*,
               case when r.dk = 1 then 'legacy_code'
                    when r.dk = 3 then 'sale'
                    when r.result = 'connected' and r.is_short then
                         case when v < 0.45 then 'not_interested' when v < 0.75 then 'wrong_number'
                              when v < 0.82 then 'do_not_call' end
                    when r.result = 'connected' then
                         case when v < p_sale then 'sale'
                              when r.has_appt and v < p_sale + 0.05 then 'appointment_set'
                              when v < p_sale + 0.22 then 'interested'
                              when v < p_sale + 0.38 then 'callback_requested'
                              when v < p_sale + 0.44 then 'already_customer'
                              when v < p_sale + 0.48 then 'wrong_number'
                              when v < p_sale + 0.50 then 'do_not_call'
                              when v < p_sale + 0.54 then null
                              else 'not_interested' end
                    when r.result = 'no_answer' and v < 0.72 then 'no_answer'
                    when r.result = 'busy' and v < 0.72 then 'busy'
                    when r.result = 'voicemail' and v < 0.65 then 'voicemail_left'
                    when r.result = 'rejected' and v < 0.5 then 'hung_up'
                    when r.result = 'rejected' and v < 0.6 then 'no_answer'
                    when r.result = 'failed' and v < 0.15 then 'wrong_number'
               end as disposition,
               case when r.dk = 0 then {UNKNOWN_AGENT_BASE} + r.id % 1000
                    when r.dk = 3 or r.result = 'connected' then r.agent
                    when r.result = 'abandoned' or r.predictive then null
                    else r.agent end as agent_id
        from r
        offset 0
    ), e as (
        select d.*,
               case when d.result = 'connected' and d.is_short then 1 + floor({u("talk", "d.id")} * 9)::int
                    when d.result = 'connected' and d.disposition in ('sale', 'appointment_set')
                         then least(1200, floor(150 * exp({u("talk", "d.id")} * ln(8)))::int)
                    when d.result = 'connected' and d.disposition in ('interested', 'callback_requested')
                         then floor(30 * exp({u("talk", "d.id")} * ln(30)))::int
                    when d.result = 'connected' then floor(10 * exp({u("talk", "d.id")} * ln(60)))::int
                    else 0 end as talk_sec,
               case when d.result = 'connected' and {u("hold", "d.id")} < 0.25
                    then 5 + floor({u("hold", "d.id")} * 700)::int else 0 end as hold_sec,
               case when d.result = 'connected' then 5 + floor(power({u("wrap", "d.id")}, 2) * 115)::int
                    when d.agent_id is not null and d.disposition is not null and d.result <> 'blocked'
                         then 2 + floor({u("wrap", "d.id")} * 8)::int
                    else 0 end as wrap_sec,
               case when d.result in ('connected', 'abandoned') then 3 + floor({u("ring", "d.id")} * 17)::int
                    when d.result = 'voicemail' then 15 + floor({u("ring", "d.id")} * 15)::int end as ring,
               {u("end", "d.id")} as u_end
        from d
        offset 0
    ), f as (
        select e.*,
               case e.result
                    when 'connected' then e.st + e.ring + e.talk_sec + e.hold_sec
                    when 'abandoned' then e.st + e.ring + 1 + floor(e.u_end * 6)::int
                    when 'voicemail' then e.st + e.ring + 5 + floor(e.u_end * 35)::int
                    when 'no_answer' then e.st + 25 + floor(e.u_end * 20)::int
                    when 'busy' then e.st + 1 + floor(e.u_end * 5)::int
                    when 'rejected' then e.st + 3 + floor(e.u_end * 15)::int
                    when 'failed' then e.st + floor(e.u_end * 4)::int
               end as en
        from e
        offset 0
    )
    select f.id, f.tenant_id, f.campaign_id, f.lead_id, f.agent_id,
           case when f.dk = 0 then f.agent_team
                when f.agent_id is null or {u("noteam", "f.id")} < 0.03 then null
                else f.agent_team end,
           case when f.dk = 2 then '0123' || lpad((f.id * 7919 % 10000000)::text, 7, '0')
                when f.result = 'blocked' and {u("nocid", "f.id")} < 0.5 then null
                when {u("nocid", "f.id")} < 0.002 then null
                else f.cid end,
           to_timestamp(f.st),
           to_timestamp(f.st + f.ring),
           to_timestamp(f.en),
           f.result,
           case when f.result = 'blocked' then f.block_reason0 end,
           f.talk_sec, f.hold_sec, f.wrap_sec, f.disposition,
           to_timestamp(coalesce(f.en, f.st) + f.wrap_sec + floor({u("updated", "f.id")} * 180)::int)
    from f
    """


# --------------------------------------------------------------------------------------------
# Entry points


def _default_end() -> datetime:
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def _epoch(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _analyze(conn: psycopg.Connection) -> None:
    conn.execute("analyze " + ", ".join(f"raw.{t}" for t in RAW_TABLES))


def _drop_secondary_indexes(conn: psycopg.Connection) -> list[str]:
    """Drop the non-constraint indexes of raw.leads/raw.calls and return their definitions: building
    them once after the load is much faster than maintaining them row by row (same transaction,
    so nobody ever sees the tables without them)."""
    rows = conn.execute("""
        select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        from pg_index i
        where i.indrelid in ('raw.leads'::regclass, 'raw.calls'::regclass)
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
        order by 1
    """).fetchall()
    for name, _definition in rows:
        conn.execute(f"drop index {name}")
    return [definition for _name, definition in rows]


def generate(url: str, options: GenerateOptions | None = None) -> dict[str, Any]:
    """Empty the raw tables and load a deterministic dataset; returns row counts and seconds."""
    options = options or GenerateOptions()
    started = time.perf_counter()
    ensure_schema(url)
    end = _epoch(options.end or _default_end())
    start = end - options.days * DAY
    n_tenants = max(1, options.tenants)
    with psycopg.connect(url) as conn:
        _prepare_session(conn)
        conn.execute("truncate " + ", ".join(f"raw.{t}" for t in RAW_TABLES))
        indexes = _drop_secondary_indexes(conn)
        dims = _dimensions(options, start, end)
        result: dict[str, Any] = {}
        for table, rows in dims.items():
            _copy_rows(conn, f"raw.{table}", COLUMNS[table], rows)
            result[table] = len(rows)
        tenants = _lookups(conn)
        tenant_ids = [t.tenant_id for t in tenants]
        lead_totals = dict(zip(tenant_ids, _split(options.leads, n_tenants), strict=True))
        call_totals = dict(zip(tenant_ids, _split(options.calls, n_tenants), strict=True))
        lead_slots = _slots(
            options.seed,
            "leads",
            lead_totals,
            start - LEAD_PRELUDE_DAYS * DAY,
            end,
            LEAD_HOUR_WEIGHT,
            LEAD_DOW_WEIGHT,
            ID_BASE["leads"] + 1,
        )
        result["leads"] = _insert_leads(conn, options.seed, tenants, lead_slots, end)
        lead_stats = _candidate_leads(conn, None, start // HOUR, (end - 1) // HOUR)
        call_slots = _slots(
            options.seed, "calls", call_totals, start, end, HOUR_WEIGHT, DOW_WEIGHT, ID_BASE["calls"] + 1
        )
        result["calls"] = _insert_calls(conn, options.seed, tenants, call_slots, lead_stats)
        for definition in indexes:
            conn.execute(definition)
        conn.commit()
        conn.autocommit = True
        _analyze(conn)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def append_days(url: str, days: int = 1, seed: int = 42) -> dict[str, Any]:
    """Add `days` more days of calls (and new leads) after the newest call, with new ids above the
    current maxima and the per-tenant daily volumes of the last four weeks. Returns rows added."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        _prepare_session(conn)
        last, max_call, first = conn.execute(
            "select extract(epoch from max(started_at)), max(id), extract(epoch from min(started_at)) from raw.calls"
        ).fetchone()
        if last is None:
            raise ValueError("raw.calls is empty: run generate first")
        start = int(math.floor(float(last))) // DAY * DAY + DAY  # the next UTC midnight
        end = start + days * DAY
        window = min(28 * DAY, max(HOUR, start - int(math.floor(float(first))) // HOUR * HOUR))
        since = start - window
        calls_per_day = dict(
            conn.execute(
                "select tenant_id, count(*) from raw.calls where started_at >= to_timestamp(%s) group by 1",
                (since,),
            ).fetchall()
        )
        leads_per_day = dict(
            conn.execute(
                "select tenant_id, count(*) from raw.leads where created_at >= to_timestamp(%s)"
                " and created_at < to_timestamp(%s) group by 1",
                (since, start),
            ).fetchall()
        )
        max_lead = conn.execute("select coalesce(max(id), %s) from raw.leads", (ID_BASE["leads"],)).fetchone()[0]
        tenants = [t for t in _lookups(conn) if t.tenant_id in calls_per_day]
        scale = days * DAY / window
        call_totals = {t.tenant_id: round(calls_per_day[t.tenant_id] * scale) for t in tenants}
        lead_totals = {t.tenant_id: round(leads_per_day.get(t.tenant_id, 0) * scale) for t in tenants}
        lead_slots = _slots(
            seed, "append-leads", lead_totals, start, end, LEAD_HOUR_WEIGHT, LEAD_DOW_WEIGHT, max_lead + 1
        )
        added_leads = _insert_leads(conn, seed, tenants, lead_slots, end)
        lead_stats = _candidate_leads(conn, start - (MAX_LAG_DAYS + 2) * DAY, start // HOUR, (end - 1) // HOUR)
        call_slots = _slots(seed, "append-calls", call_totals, start, end, HOUR_WEIGHT, DOW_WEIGHT, max_call + 1)
        added_calls = _insert_calls(conn, seed, tenants, call_slots, lead_stats)
        # A replica holds only what has happened by now: an appended day that reaches past the clock
        # (today) has no calls that have not started yet, no leads not yet created (nor their calls), and
        # a row whose later touch is still to come carries the time it was written (else every such row
        # would count as replicated just now, live answers).
        gone_leads = conn.execute(
            "delete from raw.leads where id > %s and created_at > now() returning id", (max_lead,)
        ).fetchall()
        gone_calls = conn.execute(
            "delete from raw.calls where id > %s and (started_at > now() or lead_id = any(%s))",
            (max_call, [r[0] for r in gone_leads]),
        ).rowcount
        conn.execute(
            "update raw.calls set updated_at = least(greatest(coalesce(ended_at, started_at), started_at), now())"
            " where id > %s and updated_at > now()",
            (max_call,),
        )
        conn.execute("update raw.leads set updated_at = created_at where id > %s and updated_at > now()", (max_lead,))
        added_calls -= gone_calls
        added_leads -= len(gone_leads)
        conn.commit()
        conn.autocommit = True
        conn.execute("analyze raw.leads, raw.calls")
    return {
        "calls": added_calls,
        "leads": added_leads,
        "from": _ts(start).isoformat(),
        "to": _ts(end).isoformat(),
        "seconds": round(time.perf_counter() - started, 2),
    }
