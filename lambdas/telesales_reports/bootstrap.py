"""Create what the project needs beyond the dbt models: raw tables (contract), their indexes, ops tables."""

from __future__ import annotations

from importlib import resources

import psycopg

SCRIPTS = ("raw_schema.sql", "raw_indexes.sql", "ops_schema.sql")


def sql_script(name: str) -> str:
    return resources.files("telesales_reports").joinpath("sql", name).read_text(encoding="utf-8")


def ensure_schema(url: str) -> None:
    """Idempotently create the raw tables exactly as the contract defines them, plus our own objects."""
    with psycopg.connect(url, autocommit=True) as conn:
        # Serialise concurrent bootstraps (two CLIs starting at once).
        conn.execute("select pg_advisory_lock(hashtext('telesales_reports.bootstrap'))")
        try:
            for name in SCRIPTS:
                conn.execute(sql_script(name))
        finally:
            conn.execute("select pg_advisory_unlock(hashtext('telesales_reports.bootstrap'))")
