"""What a build records about itself: the cutoff it read raw from, the published builds, the check that
the facts are in step with raw up to that cutoff, and the pruning of the fact-move log.

The cutoff is the database clock taken before dbt reads raw. Rows replicated while a build runs carry
an updated_at at or after it: the checks leave them out (the next build picks them up) and the API
folds them into its answers live (reports/live.py).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import psycopg

from telesales_reports.settings import get_settings

# The incremental facts hold exactly the raw rows, each as of its last updated_at. A fingerprint of
# (id, updated_at) over both sides, restricted to the rows raw had before the cutoff, tells whether a
# run left them in step; it does not when raw rows were deleted (a reload) or replicated late with an
# updated_at older than the look-back. Rows changed at or after the cutoff are left out on both sides
# (the facts may hold their older or newer version, or none).
_FINGERPRINT = "coalesce(sum(pg_catalog.hashtextextended({id}::text || '|' || {alias}.updated_at::text, 0::bigint)), 0)"


def _in_step_sql(raw: str, fact: str, fact_id: str, marts: str) -> str:
    raw_print = _FINGERPRINT.format(id="r.id", alias="r")
    fact_print = _FINGERPRINT.format(id=f"f.{fact_id}", alias="f")
    # One count and one fingerprint per side, compared column by column: Citus cannot read anonymous
    # row values; the correlated lookup joins on tenant_id, the distribution column of both tables.
    return f"""
        with
        raw_side as (
            select count(*) as n, {raw_print} as h from raw.{raw} as r where r.updated_at < %(cutoff)s
        ),
        fact_side as (
            select count(*) as n, {fact_print} as h from {marts}.{fact} as f
            where not exists (
                select from raw.{raw} as r
                where r.tenant_id = f.tenant_id and r.id = f.{fact_id} and r.updated_at >= %(cutoff)s
            )
        )
        select raw_side.n = fact_side.n and raw_side.h = fact_side.h
        from raw_side, fact_side
    """


def checked_before(cutoff: datetime) -> datetime:
    """The bound of a build's checks against raw (the in-step check, the dbt tests that compare the facts
    with raw): the cutoff less the replication allowance (TELESALES_LIVE_ALLOWANCE_SEC). A row replicated
    with an `updated_at` from before the cutoff but committed after dbt read raw (replication commit lag)
    is not an error: the next build's look-back loads it, the API folds it in live meanwhile (its delta
    starts at the same bound, reports/live.py), and the next build checks it (DECISIONLOG 112)."""
    return cutoff - timedelta(seconds=get_settings().live_allowance_sec)


def database_now(url: str) -> datetime:
    """The database clock (the cutoff of a build that starts now)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("select clock_timestamp()").fetchone()[0]


# The block-keyed marts and a bitmap column of each (DECISIONLOG 75): its length is the block size.
LEAD_BLOCK_BITMAPS = (("agg_lead_source_blocks", "lead_mask"), ("agg_agent_lead_blocks", "dialed"))


def lead_block_size_changed(url: str, marts: str = "marts") -> bool:
    """True when the block-keyed marts in `marts` hold bitmaps of another size than the build's setting
    (TELESALES_LEAD_BLOCK_BITS): an incremental run would write blocks of the new size beside the old
    ones, which no answer can combine (DECISIONLOG 114), so the build must be a full refresh."""
    size = 2 ** get_settings().lead_block_bits
    with psycopg.connect(url, autocommit=True) as conn:
        for table, column in LEAD_BLOCK_BITMAPS:
            if conn.execute("select to_regclass(%s)", (f"{marts}.{table}",)).fetchone()[0] is None:
                continue
            stored = conn.execute(
                f"select length({column}) from {marts}.{table} where {column} is not null limit 1"
            ).fetchone()
            if stored is not None and stored[0] != size:
                return True
    return False


def facts_in_step(url: str, cutoff: datetime, marts: str = "marts") -> bool:
    """True when fct_calls / fct_leads hold exactly the raw rows changed before `cutoff` (ids and
    updated_at); a build passes its checked_before()."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for raw, fact, fact_id in (("calls", "fct_calls", "call_id"), ("leads", "fct_leads", "lead_id")):
                row = conn.execute(_in_step_sql(raw, fact, fact_id, marts), {"cutoff": cutoff}).fetchone()
                if not row[0]:
                    return False
            return True
    except psycopg.errors.UndefinedTable:
        return False


# Write-audit-publish. Readers (the API, BI) read `marts`; every build writes into `marts_next`, a
# second copy of the marts kept incrementally (one published build behind), audits it (dbt tests, the
# in-step check) and only then publishes it by swapping the two schemas' names in one transaction, with
# the cutoff. A failed build leaves `marts` as it was; a report never sees two builds (see publish()).
SERVED = "marts"
BUILDING = "marts_next"
SWAPPING = "marts_swap"
READER_ROLES = ("telesales_reader", "telesales_tenant_reader", "telesales_api")


def _schema_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select exists (select from pg_namespace where nspname = %s)", (name,)).fetchone()[0]


def _tables(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute(
        "select relname from pg_class where relnamespace = %s::regnamespace and relkind in ('r', 'p') order by 1",
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def prepare_building_copy(url: str) -> None:
    """Make sure `marts_next` exists. When only the served copy exists (the first build after an
    upgrade, or right after the first publish) it is cloned, rows, indexes and all, so the next build is
    incremental instead of a second full build; with neither, dbt builds it from scratch."""
    with psycopg.connect(url) as conn:
        if _schema_exists(conn, BUILDING):
            if _tables(conn, BUILDING) or not _schema_exists(conn, SERVED) or not _tables(conn, SERVED):
                return
            # an empty copy (the schema served before the first publish): clone the served one instead
            conn.execute(f"drop schema {BUILDING} cascade")
        conn.execute(f"create schema {BUILDING}")
        if _schema_exists(conn, SERVED):
            citus = _has_citus(conn)
            conn.commit()
            for table in _tables(conn, SERVED):
                # one transaction per table: Citus creates a distributed or reference table with
                # parallel connections to every node, which one long transaction would deadlock
                with conn.transaction():
                    if citus:
                        conn.execute("set local citus.enable_local_execution = off")
                    # rows first, then the indexes: one sort per index instead of maintaining every
                    # index row by row (the clone of 5 M call facts took minutes that way)
                    conn.execute(
                        f'create table {BUILDING}."{table}" (like {SERVED}."{table}" including all excluding indexes)'
                    )
                    if citus:
                        _distribute_like(conn, f'{SERVED}."{table}"', f'{BUILDING}."{table}"')
                    conn.execute(f'insert into {BUILDING}."{table}" select * from {SERVED}."{table}"')
                conn.commit()
                for definition in _index_definitions(conn, table):
                    with conn.transaction():
                        conn.execute("set local maintenance_work_mem = '256MB'")
                        conn.execute(definition)
                conn.commit()
                conn.execute(f'analyze {BUILDING}."{table}"')
                conn.commit()


def _index_definitions(conn: psycopg.Connection, table: str) -> list[str]:
    """The served table's indexes, as statements that create them (same names) on its building copy."""
    rows = conn.execute(
        "select pg_get_indexdef(i.indexrelid) from pg_index as i"
        " where i.indrelid = format('%%I.%%I', %s::text, %s::text)::regclass order by i.indexrelid",
        (SERVED, table),
    ).fetchall()
    prefix = f" ON {SERVED}."
    return [row[0].replace(prefix, f" ON {BUILDING}.", 1) for row in rows]


def _has_citus(conn: psycopg.Connection) -> bool:
    return conn.execute("select exists (select from pg_extension where extname = 'citus')").fetchone()[0]


def _distribute_like(conn: psycopg.Connection, source: str, target: str) -> None:
    """On Citus, make the clone the same kind of table as its source (macros/citus_distribute.sql):
    a reference table, or distributed by tenant_id colocated with raw.calls."""
    kind = conn.execute(
        "select partmethod from pg_dist_partition where logicalrelid = %s::regclass", (source,)
    ).fetchone()
    if kind is None:
        return
    if kind[0] == "n":
        conn.execute("select create_reference_table(%s)", (target,))
    else:
        conn.execute("select create_distributed_table(%s, 'tenant_id', colocate_with => 'raw.calls')", (target,))


def reset_building_copy(url: str) -> None:
    """Replace the building copy by a fresh clone of the served one."""
    with psycopg.connect(url) as conn:
        conn.execute(f"drop schema if exists {BUILDING} cascade")
    prepare_building_copy(url)


def publish(url: str, cutoff: datetime, full_refresh: bool, whole_audit: bool = True, attempts: int = 600) -> None:
    """Swap `marts_next` (just built and audited) with `marts` and record the cutoff, atomically.

    The swap takes an exclusive lock on every served table, waiting at most 20 ms, and retries while a
    reader holds one: a report's transaction keeps its locks to its end, so it finishes on the build it
    started with; a report that starts during the swap waits for it and then resolves the new tables
    (PostgreSQL looks a name up again after waiting for its lock). A reader never deadlocks with it. The schema privileges of the
    readers follow the name `marts`; the table privileges and row-level security move with the tables.
    """
    for attempt in range(attempts):
        try:
            with psycopg.connect(url) as conn:
                served = _schema_exists(conn, SERVED)
                tables = _tables(conn, SERVED) if served else []
                if tables:
                    conn.execute(
                        "set local lock_timeout = '20ms'; lock table "
                        + ", ".join(f'{SERVED}."{t}"' for t in tables)
                        + " in access exclusive mode"
                    )
                if served:
                    conn.execute(f"alter schema {SERVED} rename to {SWAPPING}")
                    conn.execute(f"alter schema {BUILDING} rename to {SERVED}")
                    conn.execute(f"alter schema {SWAPPING} rename to {BUILDING}")
                else:
                    conn.execute(f"alter schema {BUILDING} rename to {SERVED}")
                roles = [
                    r[0]
                    for r in conn.execute(
                        "select rolname from pg_roles where rolname = any(%s)", (list(READER_ROLES),)
                    ).fetchall()
                ]
                for role in roles:
                    conn.execute(f'grant usage on schema {SERVED} to "{role}"')
                    if served:
                        conn.execute(f'revoke all on schema {BUILDING} from "{role}"')
                conn.execute(
                    "insert into ops.warehouse_builds (cutoff_at, started_at, full_refresh, whole_audit)"
                    " values (%s, %s, %s, %s)",
                    (cutoff, cutoff, full_refresh, whole_audit),
                )
                # Both copies have consumed every move logged before the previous publish started.
                conn.execute(
                    "delete from ops.fact_moves where logged_at < (select started_at from ops.warehouse_builds"
                    " order by build_id desc offset 1 limit 1)"
                )
            return
        except psycopg.errors.LockNotAvailable:
            time.sleep(0.05 + 0.05 * (attempt % 4))
    raise TimeoutError("could not publish the build: readers held the marts for too long")
