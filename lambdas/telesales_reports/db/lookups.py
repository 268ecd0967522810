"""Lookups of request validation: which ids exist in the caller's tenant, and PostgreSQL's timezone names.

Identifiers are composed with `psycopg.sql`; values are always bound.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

# What an id filter is checked against. Reports answer live (docs/api-reference.md §6.1): ids created
# since the last build are valid at once, so they are looked up through the dbt staging views over raw;
# abandon-rate's campaign (live by §3) in raw itself.
ID_TABLES: dict[tuple[str, bool], tuple[str, str, str]] = {
    ("campaign_id", False): ("staging", "stg_raw__campaigns", "campaign_id"),
    ("campaign_id", True): ("raw", "campaigns", "id"),
    ("team_id", False): ("staging", "stg_raw__teams", "team_id"),
}

_TIMEZONES: dict[str, str] | None = None


def _first(row) -> object:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def known_timezones(conn: psycopg.Connection) -> dict[str, str]:
    """PostgreSQL's TZDB names (what the SQL will bucket with), keyed case-insensitively; read once."""
    global _TIMEZONES
    if _TIMEZONES is None:
        rows = conn.execute("select name from pg_catalog.pg_timezone_names").fetchall()
        names = [str(_first(r)) for r in rows]
        _TIMEZONES = {name.lower(): name for name in names if not name.startswith("posix/")}
    return _TIMEZONES


def id_exists(conn: psycopg.Connection, tenant_id: int, key: str, number: int, live: bool = False) -> bool:
    """Whether the campaign or team `number` exists in the tenant (`live`: in raw, for abandon-rate)."""
    schema, table, column = ID_TABLES[(key, live and key == "campaign_id")]
    query = sql.SQL("select 1 from {table} where tenant_id = %s and {column} = %s").format(
        table=sql.Identifier(schema, table), column=sql.Identifier(column)
    )
    return conn.execute(query, (tenant_id, number)).fetchone() is not None


def existing_agents(conn: psycopg.Connection, tenant_id: int, agent_ids: list[int]) -> set[int]:
    """The ones of `agent_ids` that are agents of the tenant."""
    rows = conn.execute(
        "select agent_id from staging.stg_raw__users where tenant_id = %s and agent_id = any(%s)",
        (tenant_id, agent_ids),
    ).fetchall()
    return {int(_first(r)) for r in rows}
