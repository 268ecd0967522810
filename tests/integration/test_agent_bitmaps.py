"""The funnel and lead-source attribution under agents alone count the cohort from the agents' lead
bitmaps (agg_agent_lead_blocks, agg_lead_source_blocks, fct_irregular_lead_calls; DECISIONLOG 75): every
answer must equal the reference on raw as it stands, whatever blocks the window meets (wholly inside
it, straddling a bound, with calls after its end), with irregular leads, after live changes and after
an incremental build, at the tests' blocks of 8 lead ids and at production's 4,096."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from telesales_build.bootstrap import ensure_schema
from telesales_build.dbt_runner import build
from telesales_build.warehouse_state import LEAD_BLOCK_BITMAPS
from telesales_dev.generate import GenerateOptions, generate
from telesales_reports.db import connection as db
from telesales_reports.settings import get_settings
from tests.integration.reference import Reference, load
from tests.integration.replication import apply_changes
from tests.support import api_url, data

END = datetime(2026, 6, 1, tzinfo=UTC)
DAYS = 30
OPTIONS = GenerateOptions(tenants=1, campaigns=4, teams=3, agents=12, leads=1200, calls=9000, days=DAYS, end=END)


def _windows(rng: random.Random) -> list[tuple[list, datetime, datetime]]:
    """Whole days over the data, windows ending before the data does (calls after their end), cut to the
    second, and local days at +05:45 (a week, and to the data's end)."""
    first = END - timedelta(days=DAYS)
    windows = []
    for days_in, length in ((0, DAYS), (3, 10), (12, 5), (20, 1)):
        start = first + timedelta(days=days_in)
        last = start + timedelta(days=length - 1)
        params = [("date_from", start.strftime("%Y-%m-%d")), ("date_to", last.strftime("%Y-%m-%d"))]
        windows.append((params, start, last + timedelta(days=1)))
    for _ in range(4):
        start = first + timedelta(seconds=rng.randint(0, DAYS * 86400))
        end = start + timedelta(seconds=rng.randint(3600, 12 * 86400))
        params = [("date_from", start.strftime("%Y-%m-%dT%H:%M:%SZ")), ("date_to", end.strftime("%Y-%m-%dT%H:%M:%SZ"))]
        windows.append((params, start, end))
    local = first + timedelta(days=7)
    for date_to, end in (("2026-05-16", local + timedelta(days=7)), ("2026-06-02", END + timedelta(days=1))):
        windows.append(
            (
                [("date_from", "2026-05-09T00:00:00+05:45"), ("date_to", f"{date_to}T00:00:00+05:45")],
                local - timedelta(hours=5, minutes=45),
                end - timedelta(hours=5, minutes=45),
            )
        )
    return windows


def _assert_agents_alone_equal_the_reference(url: str, rng: random.Random, why: str, more_windows=()) -> None:
    raw = load(url)
    ref = Reference(raw, 1)
    agents = sorted(r["id"] for r in raw["users"] if r["tenant_id"] == 1)
    more = [([("date_from", s.isoformat()), ("date_to", e.isoformat())], s, e) for s, e in more_windows]
    for params, start, end in [*_windows(rng), *more]:
        for count in (1, 5):
            chosen = tuple(rng.sample(agents, k=count))
            request = [*params, *(("agent_ids[]", str(a)) for a in chosen)]
            f = {"agents": chosen}
            assert data("funnel", request) == ref.funnel(start, end, **f), (request, why)
            assert data("lead-source-attribution", request) == ref.lead_source_attribution(start, end, **f), (
                request,
                why,
            )


def _block_kinds(url: str, start: datetime, end: datetime) -> dict[str, int]:
    """How the blocks meeting the window are read: from the stored masks and the bitmaps (whole), from
    masks grouped from fct_leads and the bitmaps (partial), or from their calls (exact)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            select bool_and(first_created_at >= %(s)s and last_created_at < %(e)s) as whole,
                bool_and(coalesce(last_call_at < %(e)s, true)) as clean
            from marts.agg_lead_source_blocks
            where tenant_id = 1 and last_created_at >= %(s)s and first_created_at < %(e)s
            group by lead_block
            """,
            {"s": start, "e": end},
        ).fetchall()
    return {
        "whole": sum(1 for whole, clean in rows if clean and whole),
        "partial": sum(1 for whole, clean in rows if clean and not whole),
        "exact": sum(1 for _, clean in rows if not clean),
    }


# The highest lead ids: their block is the last one, whose upper bound is past bigint's range.
LAST_IDS = (2**63 - 1, 2**63 - 3)


def _copy_leads_to_the_last_ids(url: str) -> None:
    """Copies of two leads with calls (and their calls, with new ids) at the highest lead ids."""
    with psycopg.connect(url, autocommit=True) as conn:
        sources = conn.execute(
            # regular leads (every call at or after creation, in the lead's campaign): the bitmaps' own
            "select c.lead_id from raw.calls as c inner join raw.leads as l on l.id = c.lead_id"
            " where c.tenant_id = 1 group by c.lead_id, l.created_at, l.campaign_id having count(*) >= 3"
            " and bool_and(c.started_at >= l.created_at and c.campaign_id = l.campaign_id)"
            " order by c.lead_id limit %s",
            (len(LAST_IDS),),
        ).fetchall()
        for (source,), last_id in zip(sources, LAST_IDS, strict=True):
            conn.execute(
                "insert into raw.leads select (jsonb_populate_record(null::raw.leads,"
                " to_jsonb(l) || jsonb_build_object('id', %s::bigint))).* from raw.leads as l where l.id = %s",
                (last_id, source),
            )
            conn.execute(
                "insert into raw.calls select (jsonb_populate_record(null::raw.calls, to_jsonb(c)"
                " || jsonb_build_object('id', (select max(id) from raw.calls) + row_number() over (order by c.id),"
                " 'lead_id', %s::bigint))).* from raw.calls as c where c.lead_id = %s",
                (last_id, source),
            )


@pytest.mark.parametrize("block_bits", [3, 12])
def test_agents_alone_from_the_bitmaps_equal_the_reference_built_live_and_rebuilt(
    fresh_database, monkeypatch, block_bits
):
    monkeypatch.setenv("TELESALES_LEAD_BLOCK_BITS", str(block_bits))
    get_settings.cache_clear()
    try:
        url = fresh_database(f"bitmaps_{block_bits}")
        ensure_schema(url)
        generate(url, OPTIONS)
        _copy_leads_to_the_last_ids(url)
        build(url)
        with psycopg.connect(url) as conn:
            size = conn.execute(
                "select min(length(lead_mask)), max(length(lead_mask)) from marts.agg_lead_source_blocks"
            )
            assert size.fetchone() == (2**block_bits, 2**block_bits)
        # the windows meet every kind of block (not vacuous): over all the data (whole UTC days) the
        # stored masks serve, a local week cuts days (masks from fct_leads), and a window ending before
        # the data does meets calls after its end
        first = END - timedelta(days=DAYS)
        assert _block_kinds(url, first, END)["whole"] > (10 if block_bits == 3 else 0)
        # a window from between two leads of one (block, source, day) row to after every call
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "select first_created_at, last_created_at from marts.agg_lead_source_blocks"
                " where last_created_at - first_created_at > interval '1 minute' order by lead_block limit 1"
            ).fetchone()
        cut = (row[0] + (row[1] - row[0]) / 2).replace(microsecond=0)
        cut_window = (cut, END + timedelta(days=1))
        assert _block_kinds(url, *cut_window)["partial"] > 0
        assert _block_kinds(url, first + timedelta(days=3), first + timedelta(days=13))["exact"] > 0
        with psycopg.connect(url) as conn:
            assert conn.execute("select count(*) from marts.fct_irregular_lead_calls").fetchone()[0] > 0
            last_block = conn.execute(
                "select count(*) from marts.agg_lead_source_blocks where lead_block = %s",
                (LAST_IDS[0] >> block_bits,),
            )
            assert last_block.fetchone()[0] > 0
            # a window from the last lead's creation to its last call: the last block has a call at its end
            last_window = conn.execute(
                "select l.created_at, max(c.started_at) from raw.leads as l inner join raw.calls as c"
                " on c.lead_id = l.id where l.id = %s group by l.created_at",
                (LAST_IDS[0],),
            ).fetchone()
        assert _block_kinds(url, *last_window)["exact"] > 0
        db.reset(api_url(url))
        rng = random.Random(block_bits)
        _assert_agents_alone_equal_the_reference(url, rng, "as built", [cut_window, last_window])

        done = apply_changes(url, rng, changes=30)
        with psycopg.connect(url, autocommit=True) as conn:  # the last block changes too
            conn.execute(
                "update raw.calls set talk_sec = talk_sec + 31, updated_at = now()"
                " where id = (select min(id) from raw.calls where lead_id = %s)",
                (LAST_IDS[0],),
            )
        db.reset(api_url(url))
        _assert_agents_alone_equal_the_reference(url, rng, f"live after {done}", [cut_window, last_window])

        build(url)
        db.reset(api_url(url))
        _assert_agents_alone_equal_the_reference(url, rng, f"rebuilt after {done}", [cut_window, last_window])
    finally:
        get_settings.cache_clear()


def test_a_new_block_size_rebuilds_the_block_marts_whole(fresh_database, monkeypatch):
    """Blocks of one size cannot be combined with blocks of another: an incremental build after
    TELESALES_LEAD_BLOCK_BITS changed is a full refresh (DECISIONLOG 114), and the answers stay exact."""
    monkeypatch.setenv("TELESALES_LEAD_BLOCK_BITS", "3")
    get_settings.cache_clear()
    try:
        url = fresh_database("bitmaps_resized")
        ensure_schema(url)
        generate(url, OPTIONS)
        build(url)
        rng = random.Random(5)
        done = apply_changes(url, rng, changes=20)
        monkeypatch.setenv("TELESALES_LEAD_BLOCK_BITS", "4")
        get_settings.cache_clear()
        assert build(url).full_refresh_fallback
        with psycopg.connect(url) as conn:
            for table, column in LEAD_BLOCK_BITMAPS:
                lengths = conn.execute(
                    f"select distinct length({column}) from marts.{table} where {column} is not null"
                ).fetchall()
                assert lengths == [(16,)], (table, lengths)
        db.reset(api_url(url))
        _assert_agents_alone_equal_the_reference(url, rng, f"resized after {done}")
        # the next build at the same size is incremental again
        apply_changes(url, rng, changes=5)
        assert not build(url).full_refresh_fallback
    finally:
        get_settings.cache_clear()
