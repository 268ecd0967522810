"""Create what the project needs beyond the dbt models: raw tables (contract), their indexes, ops tables, roles."""

from __future__ import annotations

import logging
from importlib import resources

import psycopg

SCRIPTS = ("raw_schema.sql", "raw_indexes.sql", "ops_schema.sql", "roles.sql", "warehouse_state.sql")
# Run last, and only in a database with the citus extension: distributes the raw and ops tables.
CITUS_SCRIPT = "citus.sql"

# roles.sql creates these group roles (cluster-wide); creating a role needs CREATEROLE.
ROLES_SCRIPT = "roles.sql"
GROUP_ROLES = ("telesales_reader", "telesales_tenant_reader", "telesales_api")

logger = logging.getLogger(__name__)


def sql_script(name: str) -> str:
    return resources.files("telesales_build").joinpath("sql", name).read_text(encoding="utf-8")


def can_manage_roles(conn: psycopg.Connection) -> bool:
    """True when roles.sql can run: the user may create roles, or every group role already exists."""
    return conn.execute(
        """
        select
            (select rolsuper or rolcreaterole from pg_catalog.pg_roles where rolname = current_user)
            or (select count(*) from pg_catalog.pg_roles where rolname = any(%s)) = %s
        """,
        (list(GROUP_ROLES), len(GROUP_ROLES)),
    ).fetchone()[0]


def ensure_schema(url: str) -> None:
    """Idempotently create the raw tables exactly as the contract defines them, plus our own objects."""
    with psycopg.connect(url, autocommit=True) as conn:
        # Serialise concurrent bootstraps (two CLIs starting at once).
        conn.execute("select pg_advisory_lock(hashtext('telesales_reports.bootstrap'))")
        try:
            for name in SCRIPTS:
                if name == ROLES_SCRIPT and not can_manage_roles(conn):
                    # A managed database where the build user may not create roles: the warehouse and the
                    # API still work (the marts' owner bypasses row-level security; dbt skips grants and
                    # policies for missing roles). An administrator can run roles.sql once instead.
                    logger.warning(
                        "skipped %s: user lacks CREATEROLE and the BI/API roles (%s) do not all exist;"
                        " BI access is not set up (see docs/bi-access.md)",
                        name,
                        ", ".join(GROUP_ROLES),
                    )
                    continue
                conn.execute(sql_script(name))
            if conn.execute("select 1 from pg_catalog.pg_extension where extname = 'citus'").fetchone():
                conn.execute(sql_script(CITUS_SCRIPT))
        finally:
            conn.execute("select pg_advisory_unlock(hashtext('telesales_reports.bootstrap'))")
