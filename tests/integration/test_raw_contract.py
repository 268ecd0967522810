"""The project's raw tables are exactly the contract's (shared/spec/raw_schema.sql), column for column."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from telesales_build.bootstrap import ensure_schema
from telesales_build.paths import project_root

CONTRACT = project_root().parent / "shared" / "spec" / "raw_schema.sql"

COLUMNS_SQL = """
select table_name, column_name, ordinal_position, data_type, numeric_precision, numeric_scale,
       is_nullable, column_default
from information_schema.columns
where table_schema = %s
order by table_name, ordinal_position
"""

PRIMARY_KEYS_SQL = """
select tc.table_name, string_agg(kcu.column_name, ',' order by kcu.ordinal_position)
from information_schema.table_constraints tc
join information_schema.key_column_usage kcu
  on tc.constraint_name = kcu.constraint_name and tc.table_schema = kcu.table_schema
where tc.table_schema = %s and tc.constraint_type = 'PRIMARY KEY'
group by tc.table_name order by 1
"""


def _catalog(conn: psycopg.Connection, schema: str) -> tuple[list, list]:
    return (
        conn.execute(COLUMNS_SQL, (schema,)).fetchall(),
        conn.execute(PRIMARY_KEYS_SQL, (schema,)).fetchall(),
    )


def test_raw_tables_match_contract(fresh_database) -> None:
    if not CONTRACT.exists():
        pytest.skip(f"contract file {CONTRACT} is absent (a user's clone without ../shared)")
    # Given: the project's bootstrap in one database, the contract file run verbatim in another
    project_db = fresh_database("raw_project")
    contract_db = fresh_database("raw_contract")
    ensure_schema(project_db)
    ensure_schema(project_db)  # idempotent
    with psycopg.connect(contract_db, autocommit=True) as conn:
        conn.execute(Path(CONTRACT).read_text(encoding="utf-8"))
        expected = _catalog(conn, "raw")
    # Then: every table, column, type, nullability, default and primary key is the same
    with psycopg.connect(project_db) as conn:
        actual = _catalog(conn, "raw")
    assert actual == expected
    assert len(expected[0]) > 40


def test_bootstrap_adds_indexes_for_live_figures(empty_db: str) -> None:
    with psycopg.connect(empty_db) as conn:
        names = {r[0] for r in conn.execute("select indexname from pg_indexes where schemaname = 'raw'")}
    assert {"calls_campaign_started_cover_idx", "calls_started_cover_idx", "calls_updated_at_idx"} <= names
