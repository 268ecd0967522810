"""The warehouse on Citus: where each table lives (DECISIONLOG "Citus"), raw tables that already hold
rows distributed in place, marts colocated with raw after every kind of build, the build lock."""

from __future__ import annotations

import psycopg
import pytest

from telesales_build.bootstrap import ensure_schema, sql_script
from telesales_build.dbt_runner import BUILD_LOCK_KEY, BuildLocked, build
from tests.contract_data import contract_rows

RAW_DISTRIBUTED = {"raw.calls", "raw.leads", "ops.abandon_rate_snapshots"}
RAW_REFERENCE = {"raw.tenants", "raw.campaigns", "raw.teams", "raw.users", "raw.dispositions", "raw.caller_ids"}


def placement(url: str) -> dict[str, tuple[str, str | None, int]]:
    """table -> (citus table type, distribution column, colocation id)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_name::text, citus_table_type, distribution_column, colocation_id from citus_tables"
        ).fetchall()
    return {name: (kind, None if column == "<none>" else column, colocation) for name, kind, column, colocation in rows}


def mart_names(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select 'marts.' || relname from pg_class where relnamespace = 'marts'::regnamespace and relkind = 'r'"
        ).fetchall()
    return {r[0] for r in rows}


def assert_warehouse_placement(url: str) -> None:
    tables = placement(url)
    calls_group = tables["raw.calls"][2]
    for name in RAW_DISTRIBUTED:
        assert tables[name] == ("distributed", "tenant_id", calls_group), name
    for name in RAW_REFERENCE:
        assert tables[name][0] == "reference", name
    marts = mart_names(url)
    assert len(marts) >= 18
    for name in marts:
        if name.startswith("marts.dim_"):
            assert tables[name][0] == "reference", name
        else:
            # facts and rollups: the tenant's rows on the same shard as its raw calls and leads
            assert tables[name] == ("distributed", "tenant_id", calls_group), name


def row_counts(conn: psycopg.Connection, names) -> dict[str, int]:
    return {name: conn.execute(f"select count(*) from {name}").fetchone()[0] for name in sorted(names)}


def test_plain_raw_tables_full_of_rows_are_distributed_in_place_and_built(fresh_database):
    # Given: the raw tables exactly as the contract creates them (primary keys on id alone), as a
    # replication tool leaves them, already holding every row
    url = fresh_database("inplace")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql_script("raw_schema.sql"))
    contract_rows().load(url, truncate=False)
    raw_tables = {name for name in RAW_DISTRIBUTED | RAW_REFERENCE if name.startswith("raw.")}
    with psycopg.connect(url) as conn:
        before = row_counts(conn, raw_tables)
        assert not conn.execute("select count(*) from citus_tables").fetchone()[0]
    assert before["raw.calls"] > 0 and before["raw.leads"] > 0

    # When: the build's bootstrap runs (twice: it is idempotent)
    ensure_schema(url)
    ensure_schema(url)

    # Then: every row is still there, now in the shards; calls and leads re-keyed by tenant
    with psycopg.connect(url) as conn:
        assert row_counts(conn, raw_tables) == before
        for table in ("raw.calls", "raw.leads"):
            key = conn.execute(
                """select array_agg(a.attname::text order by k.ord)
                   from pg_constraint c, unnest(c.conkey) with ordinality as k(attnum, ord), pg_attribute a
                   where c.conrelid = %s::regclass and c.contype = 'p'
                     and a.attrelid = c.conrelid and a.attnum = k.attnum""",
                (table,),
            ).fetchone()[0]
            assert key == ["tenant_id", "id"], table
        # the coordinator keeps no local copy of distributed rows
        local = conn.execute("select pg_relation_size('raw.calls') + pg_relation_size('raw.leads')").fetchone()[0]
        assert local == 0
        with pytest.raises(psycopg.Error, match="duplicate key value"):
            conn.execute("insert into raw.calls select * from raw.calls limit 1")

    # And: a first build and a full refresh both leave the marts colocated with raw
    build(url)
    assert_warehouse_placement(url)
    with psycopg.connect(url) as conn:
        first = row_counts(conn, mart_names(url))
    build(url, full_refresh=True)
    assert_warehouse_placement(url)
    with psycopg.connect(url) as conn:
        assert row_counts(conn, mart_names(url)) == first


def test_contract_marts_are_colocated_and_dimensions_are_reference_tables(contract_db):
    assert_warehouse_placement(contract_db)


def test_a_second_build_is_refused_while_one_holds_the_lock(contract_db):
    with psycopg.connect(contract_db, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(hashtext(%s))", (BUILD_LOCK_KEY,))
        with pytest.raises(BuildLocked):
            build(contract_db)
