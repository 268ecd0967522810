"""An existing deployment is brought up to what the current models expect by `ensure_schema`, which
every build runs first (telesales_build/sql/warehouse_state.sql): here, fct_calls' classification
index, which the model creates only with a new table (DECISIONLOG 103), partial since DECISIONLOG 112
(codes short enough for a btree entry) with an index of the calls whose code is longer."""

from __future__ import annotations

import psycopg

from telesales_build.bootstrap import ensure_schema

COLUMNS = "tenant_id, disposition_code, has_conversion_code, has_unknown_disposition"


def _classification_indexes(conn: psycopg.Connection, schema: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            """select pg_get_indexdef(i.indexrelid)
               from pg_index as i
               where i.indrelid = to_regclass(%s) and pg_get_indexdef(i.indexrelid) like %s""",
            (f"{schema}.fct_calls", f"%({COLUMNS}) WHERE%"),
        )
    ]


def test_marts_built_before_the_unknown_code_flag_was_indexed_get_the_index_once(fresh_database):
    url = fresh_database("upgrade")
    ensure_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in ("marts", "marts_next"):
            # Given: both copies of fct_calls as a build before the change left them (older index)
            conn.execute(f"create schema if not exists {schema}")
            conn.execute(
                f"""create table {schema}.fct_calls (call_id bigint, tenant_id bigint, disposition_code text,
                        has_conversion_code boolean, has_unknown_disposition boolean)"""
            )
            conn.execute(f"create index on {schema}.fct_calls (tenant_id, disposition_code, has_conversion_code)")
            assert _classification_indexes(conn, schema) == []

    # When: the next build's set-up runs, twice (every build runs it)
    ensure_schema(url)
    ensure_schema(url)

    # Then: each copy has exactly one partial index on the four columns (the probes of
    # reflagged_disposition_codes) and one of the calls with a longer code; the whole-column index it had,
    # which a long code would overflow, is gone
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in ("marts", "marts_next"):
            assert len(_classification_indexes(conn, schema)) == 1
            definitions = [
                r[0]
                for r in conn.execute(
                    "select indexdef from pg_indexes where schemaname = %s and tablename = 'fct_calls'", (schema,)
                )
            ]
            assert len(definitions) == 2, definitions
            assert all(" WHERE " in d for d in definitions), definitions


def test_marts_built_with_the_index_get_no_second_one(contract_db):
    """A copy dbt built with the four-column index (its own name) is recognised by its columns (the
    contract database has served one build: `marts` holds it, `marts_next` waits for the next one)."""
    ensure_schema(contract_db)
    with psycopg.connect(contract_db, autocommit=True) as conn:
        assert len(_classification_indexes(conn, "marts")) == 1
        whole_column = conn.execute(
            "select count(*) from pg_indexes where schemaname = 'marts' and tablename = 'fct_calls'"
            " and indexdef like '%(tenant_id, disposition_code%' and indexdef not like '% WHERE %'"
        ).fetchone()[0]
        assert whole_column == 0
        assert conn.execute("select to_regclass('marts.fct_calls_disposition_flags_idx')").fetchone()[0] is None
