"""BI access (docs/bi-access.md): roles, grants and row-level security on the marts, on a real build.

Login roles are created per test module with unique names and dropped at the end; the tests act as
them from the superuser connection with `set session authorization` (the tenant function keys on
session_user, as a real BI login's connection would).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

from telesales_build.bootstrap import GROUP_ROLES, ensure_schema
from telesales_build.dbt_runner import build
from telesales_reports.db import connection as db
from telesales_reports.jobs.abandon_snapshot import take_snapshot
from tests.contract_data import NOW, contract_rows
from tests.support import api_url, data, tenant_role

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}


@dataclass(frozen=True)
class Logins:
    reader: str  # member of telesales_reader
    tenant2: str  # member of telesales_tenant_2 (the tenant's group role)
    unmapped: str  # member of telesales_tenant_reader, of no tenant's group role
    tenant1_member: str  # member of a group role that is a member of telesales_tenant_1
    tenant1_group: str  # NOLOGIN, member of telesales_tenant_1
    ambiguous: str  # member of telesales_tenant_2 and of the tenant-1 group: sees nothing
    api: str  # member of telesales_api


@pytest.fixture(scope="module")
def bi_db(fresh_database) -> str:
    url = fresh_database("bi_access")
    ensure_schema(url)
    contract_rows().load(url)
    build(url)
    return url


@pytest.fixture(scope="module")
def logins(bi_db: str) -> Iterator[Logins]:
    prefix = f"ts_bi_{os.getpid()}_{secrets.token_hex(3)}"
    made = Logins(**{field: f"{prefix}_{field}" for field in Logins.__dataclass_fields__})
    statements = [
        ("create role {} login in role telesales_reader", made.reader),
        ("create role {} login in role telesales_tenant_2", made.tenant2),
        ("create role {} login in role telesales_tenant_reader", made.unmapped),
        ("create role {} nologin in role telesales_tenant_1", made.tenant1_group),
        ("create role {} login in role " + made.tenant1_group, made.tenant1_member),
        ("create role {} login in role telesales_tenant_2, " + made.tenant1_group, made.ambiguous),
        ("create role {} login in role telesales_api", made.api),
    ]
    with psycopg.connect(bi_db, autocommit=True) as conn:
        try:
            for tenant in (1, 2):
                tenant_role(conn, tenant)
            for template, name in statements:
                conn.execute(sql.SQL(template).format(sql.Identifier(name)))
            yield made
        finally:
            for _, name in reversed(statements):
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def marts(bi_db: str) -> list[str]:
    with psycopg.connect(bi_db) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            )
        ]
    assert len(names) >= 18 and "fct_calls" in names
    return names


@contextmanager
def acting_as(url: str, role: str) -> Iterator[psycopg.Connection]:
    """A superuser connection that runs as `role` (session_user and current_user) until the end."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("set session authorization {}").format(sql.Identifier(role)))
        yield conn


def count(conn: psycopg.Connection, relation: str, where: str = "true") -> int:
    return conn.execute(f"select count(*) from {relation} where {where}").fetchone()[0]


def denied(conn: psycopg.Connection, statement: str) -> bool:
    try:
        conn.execute(statement)
    except errors.InsufficientPrivilege:
        return True
    return False


# ---------------------------------------------------------------------------------------------------
# Roles, grants, policies


def test_group_roles_cannot_log_in_and_every_mart_has_row_level_security(bi_db, marts):
    with psycopg.connect(bi_db) as conn:
        roles = dict(
            conn.execute("select rolname, rolcanlogin from pg_roles where rolname = any(%s)", (list(GROUP_ROLES),))
        )
        # The reader roles are groups; telesales_api is the API's own login once given a password
        # (infra/README.md; the local API and the tests do it), bound by row-level security.
        assert {name: can for name, can in roles.items() if name != "telesales_api"} == {
            "telesales_reader": False,
            "telesales_tenant_reader": False,
        }
        secured = {
            r[0]
            for r in conn.execute(
                "select relname from pg_class where relnamespace = 'marts'::regnamespace and relrowsecurity"
            )
        }
        assert secured == set(marts)
        policies = conn.execute(
            "select tablename, policyname, roles::text[], permissive, cmd from pg_policies where schemaname = 'marts'"
        ).fetchall()
    assert sorted(policies) == sorted(
        [(mart, "telesales_all_tenants", ["telesales_reader"], "PERMISSIVE", "SELECT") for mart in marts]
        + [(mart, "telesales_api_tenant", ["telesales_api"], "PERMISSIVE", "SELECT") for mart in marts]
        + [(mart, "telesales_own_tenant", ["telesales_tenant_reader"], "PERMISSIVE", "SELECT") for mart in marts]
    )


def test_tenant_function_is_pinned_stable_and_the_mapping_is_the_role_catalog(bi_db):
    """ops.bi_tenant_id() reads role memberships only (every Citus node has them), runs with the caller's
    rights and is stable (an index condition); the mapping table of earlier versions is gone."""
    with psycopg.connect(bi_db) as conn:
        row = conn.execute(
            "select prosecdef, provolatile, proconfig from pg_proc where oid = 'ops.bi_tenant_id()'::regprocedure"
        ).fetchone()
        assert conn.execute("select to_regclass('ops.bi_tenant_roles')").fetchone()[0] is None
    assert row[0] is False and row[1] == "s"
    assert any(setting.startswith("search_path=") for setting in row[2])


def test_a_mapping_table_of_an_earlier_version_becomes_tenant_role_grants(fresh_database):
    url = fresh_database("bi_mapping_upgrade")
    ensure_schema(url)
    prefix = f"ts_up_{os.getpid()}_{secrets.token_hex(3)}"
    login, group, member, dangling = (f"{prefix}_{n}" for n in ("login", "group", "member", "dropped"))
    tenant = 900_000_000 + secrets.randbelow(1_000_000)  # a tenant role no other test has made
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("create role {} login in role telesales_tenant_reader").format(sql.Identifier(login)))
            conn.execute(
                sql.SQL("create role {} nologin in role telesales_tenant_reader").format(sql.Identifier(group))
            )
            conn.execute(
                sql.SQL("create role {} login in role {}").format(sql.Identifier(member), sql.Identifier(group))
            )
            conn.execute("create table ops.bi_tenant_roles (role_name name primary key, tenant_id bigint not null)")
            conn.execute(
                "insert into ops.bi_tenant_roles values (%s, %s), (%s, 1), (%s, 5)", (login, tenant, group, dangling)
            )
            ensure_schema(url)  # the next bootstrap
            assert conn.execute("select to_regclass('ops.bi_tenant_roles')").fetchone()[0] is None
            granted = conn.execute(
                "select pg_has_role(%s, %s, 'member'), pg_has_role(%s, 'telesales_tenant_1', 'member'),"
                " pg_has_role(%s, 'telesales_tenant_reader', 'member')",
                (login, f"telesales_tenant_{tenant}", group, f"telesales_tenant_{tenant}"),
            ).fetchone()
            assert granted == (True, True, True)
            for name, expected in ((login, tenant), (member, 1)):
                with acting_as(url, name) as as_login:
                    assert as_login.execute("select ops.bi_tenant_id()").fetchone()[0] == expected
        finally:
            for name in (member, group, login, f"telesales_tenant_{tenant}"):
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


# ---------------------------------------------------------------------------------------------------
# telesales_reader: every mart, every tenant, nothing else, read only


def test_reader_selects_every_row_of_every_mart(bi_db, logins, marts):
    with psycopg.connect(bi_db) as admin, acting_as(bi_db, logins.reader) as reader:
        for mart in marts:
            assert count(reader, f"marts.{mart}") == count(admin, f"marts.{mart}"), mart
        assert count(reader, "marts.fct_calls", "tenant_id = 1") > 0
        assert count(reader, "marts.fct_calls", "tenant_id = 2") > 0


def test_group_role_itself_reads_the_marts(bi_db):
    """`set role` to the group role (as a pooled BI connection would) reads too."""
    with psycopg.connect(bi_db, autocommit=True) as conn:
        expected = count(conn, "marts.fct_calls")
        conn.execute("set role telesales_reader")
        assert count(conn, "marts.fct_calls") == expected


def _raw_and_views(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('raw', 'staging', 'intermediate', 'ops', 'live') order by 1"
        ).fetchall()
    names = [r[0] for r in rows]
    assert {"raw.calls", "raw.campaigns", "ops.warehouse_builds", "ops.abandon_rate_snapshots"} <= set(names)
    assert {"live.live_calls", "live.live_campaigns"} <= set(names)
    assert any(n.startswith("staging.") for n in names) and any(n.startswith("intermediate.") for n in names)
    return names


@pytest.mark.parametrize("login", ["reader", "tenant2"])
def test_readers_cannot_select_raw_staging_intermediate_or_ops(bi_db, logins, login):
    with acting_as(bi_db, getattr(logins, login)) as conn:
        for relation in _raw_and_views(bi_db):
            assert denied(conn, f"select 1 from {relation} limit 1"), relation


@pytest.mark.parametrize("login", ["reader", "tenant2", "api"])
@pytest.mark.parametrize(
    "statement",
    [
        "insert into marts.fct_calls (call_id, tenant_id) values (-1, 1)",
        "update marts.fct_calls set talk_sec = 0",
        "delete from marts.fct_calls",
        "truncate marts.fct_calls",
        "truncate marts.dim_campaigns",
        "delete from marts.agg_calls_campaign_agent_team_15m",
        "create table marts.intruder (id int)",
        "create view marts.intruder as select 1 as id",
        "insert into raw.calls (id) values (-1)",
        "update raw.campaigns set status = 'paused'",
        "delete from raw.calls",
        "truncate raw.calls",
        "grant telesales_tenant_1 to current_user",
        "update ops.abandon_rate_snapshots set is_breached = false",
        "delete from ops.abandon_rate_snapshots",
        "truncate ops.abandon_rate_snapshots",
        "drop table marts.fct_calls",
        "alter table marts.fct_calls disable row level security",
    ],
)
def test_no_role_can_write(bi_db, logins, login, statement):
    with acting_as(bi_db, getattr(logins, login)) as conn:
        # writing, creating or altering is refused (dropping/altering: "must be owner")
        try:
            conn.execute(statement)
        except (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction):
            return
        pytest.fail(f"{login} could run: {statement}")


# ---------------------------------------------------------------------------------------------------
# telesales_tenant_reader: the mapped tenant's rows only


def test_tenant_login_sees_exactly_its_tenants_rows_in_every_mart(bi_db, logins, marts):
    with psycopg.connect(bi_db) as admin, acting_as(bi_db, logins.tenant2) as tenant:
        assert tenant.execute("select ops.bi_tenant_id()").fetchone()[0] == 2
        assert count(tenant, "marts.fct_calls") == count(admin, "marts.fct_calls", "tenant_id = 2") == 4
        for mart in marts:
            assert count(tenant, f"marts.{mart}") == count(admin, f"marts.{mart}", "tenant_id = 2"), mart
            assert count(tenant, f"marts.{mart}", "tenant_id <> 2") == 0, mart
        # filtering on another tenant explicitly finds nothing either
        assert count(tenant, "marts.fct_calls", "tenant_id = 1") == 0
        # the tenant's numbers, not only its row counts
        talk = "select coalesce(sum(talk_sec), 0) from marts.fct_calls"
        assert tenant.execute(talk).fetchone() == admin.execute(talk + " where tenant_id = 2").fetchone()


def test_the_tenant_policy_is_an_index_condition(bi_db, logins):
    """ops.bi_tenant_id() is stable: evaluated once (an init plan, or on Citus once per shard scan) and
    compared in the index, never a filter over every row."""
    with acting_as(bi_db, logins.tenant2) as tenant, tenant.transaction():
        tenant.execute("set local enable_seqscan = off")
        plan = "\n".join(r[0] for r in tenant.execute("explain select count(*) from marts.fct_calls"))
    assert re.search(r"Index Cond: \(tenant_id = (\(InitPlan \d+\)\.col1|\$\d+|ops\.bi_tenant_id\(\))\)", plan), plan


def test_unmapped_tenant_login_sees_no_rows(bi_db, logins, marts):
    with acting_as(bi_db, logins.unmapped) as conn:
        assert conn.execute("select ops.bi_tenant_id()").fetchone()[0] is None
        for mart in marts:
            assert count(conn, f"marts.{mart}") == 0, mart


def test_mapping_by_group_membership_and_ambiguous_mapping(bi_db, logins, marts):
    with psycopg.connect(bi_db) as admin:
        with acting_as(bi_db, logins.tenant1_member) as member:
            assert member.execute("select ops.bi_tenant_id()").fetchone()[0] == 1
            for mart in marts:
                assert count(member, f"marts.{mart}") == count(admin, f"marts.{mart}", "tenant_id = 1"), mart
        with acting_as(bi_db, logins.ambiguous) as conn:  # mapped to 2 and a member of tenant 1's group
            assert conn.execute("select ops.bi_tenant_id()").fetchone()[0] is None
            assert count(conn, "marts.fct_calls") == 0


def test_a_build_user_without_createrole_keeps_the_mapping_table_and_builds(fresh_database):
    """Bootstrap as a managed build user (owns the database, no CREATEROLE, the group roles exist): an
    old mapping whose tenant role is missing cannot be migrated; bootstrap warns and goes on, the
    table stays for an administrator."""
    url = fresh_database("bi_mapping_no_createrole")
    prefix = f"ts_nocr_{os.getpid()}_{secrets.token_hex(3)}"
    builder, login = f"{prefix}_builder", f"{prefix}_login"
    tenant = 900_000_000 + secrets.randbelow(1_000_000)
    builder_url = make_conninfo(url, user=builder, password="unused")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("create role {} login nocreaterole").format(sql.Identifier(builder)))
        admin.execute(sql.SQL("create role {} login in role telesales_tenant_reader").format(sql.Identifier(login)))
        admin.execute(
            sql.SQL("alter database {} owner to {}").format(sql.Identifier(admin.info.dbname), sql.Identifier(builder))
        )
        try:
            try:
                psycopg.connect(builder_url).close()
            except psycopg.OperationalError:
                pytest.skip("the server does not let the test log in as a new role without a password")
            ensure_schema(builder_url)
            with psycopg.connect(builder_url, autocommit=True) as conn:
                conn.execute("create table ops.bi_tenant_roles (role_name name primary key, tenant_id bigint not null)")
                conn.execute("insert into ops.bi_tenant_roles values (%s, %s)", (login, tenant))
            ensure_schema(builder_url)  # warns (creating the tenant role needs CREATEROLE), does not fail
            with psycopg.connect(builder_url) as conn:
                assert conn.execute("select count(*) from ops.bi_tenant_roles").fetchone()[0] == 1
                assert (
                    conn.execute(
                        "select 1 from pg_roles where rolname = %s", (f"telesales_tenant_{tenant}",)
                    ).fetchone()
                    is None
                )
        finally:
            me = sql.Identifier(admin.info.user)
            admin.execute(sql.SQL("alter database {} owner to {}").format(sql.Identifier(admin.info.dbname), me))
            admin.execute(sql.SQL("reassign owned by {} to {}").format(sql.Identifier(builder), me))
            admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(builder)))
            for name in (login, builder):
                admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


def test_tenant_login_cannot_change_its_tenant(bi_db, logins):
    with acting_as(bi_db, logins.tenant2) as conn:
        for statement in (
            "grant telesales_tenant_1 to current_user",  # the mapping is role membership
            f"grant telesales_tenant_2 to {logins.unmapped}",
            "create role telesales_tenant_999999 in role telesales_tenant_reader",
            "alter role telesales_tenant_1 rename to telesales_tenant_3",
            "set role telesales_tenant_1",
            "set role telesales_reader",
        ):
            assert denied(conn, statement), statement
        # a setting is no mapping: the API's tenant setting changes nothing for a BI login
        conn.execute("set telesales.tenant_id = '1'")
        assert conn.execute("select ops.bi_tenant_id()").fetchone()[0] == 2
        assert count(conn, "marts.fct_calls", "tenant_id <> 2") == 0


def test_set_role_to_the_group_keeps_the_logins_tenant(bi_db, logins):
    with acting_as(bi_db, logins.tenant2) as conn:
        # set role to the group keeps the session user: still tenant 2, never all tenants
        conn.execute("set role telesales_tenant_reader")
        assert count(conn, "marts.fct_calls", "tenant_id <> 2") == 0
        assert count(conn, "marts.fct_calls") > 0


def test_superuser_set_role_to_tenant_reader_sees_nothing(bi_db):
    """A session that is not a mapped login gets no tenant: the policy fails closed."""
    with psycopg.connect(bi_db, autocommit=True) as conn:
        conn.execute("set role telesales_tenant_reader")
        assert count(conn, "marts.fct_calls") == 0


# ---------------------------------------------------------------------------------------------------
# telesales_api: marts and snapshots of the transaction's tenant (row-level security), the live raw tables


def bind_tenant(conn: psycopg.Connection, tenant: int) -> None:
    """What the API's transactions do (db/connection.py): the tenant as a transaction-local setting,
    propagated to Citus workers when there are any."""
    conn.execute("set local citus.propagate_set_commands = 'local'")
    conn.execute(sql.SQL("set local telesales.tenant_id = {}").format(sql.Literal(str(tenant))))


def test_api_role_reads_only_the_tenant_its_transaction_set(bi_db, logins, marts):
    with psycopg.connect(bi_db) as admin, acting_as(bi_db, logins.api) as api:
        for mart in marts:
            assert count(api, f"marts.{mart}") == 0, mart  # no tenant set: nothing at all
        for tenant in (1, 2):
            with api.transaction():
                bind_tenant(api, tenant)
                for mart in marts:
                    assert count(api, f"marts.{mart}") == count(admin, f"marts.{mart}", f"tenant_id = {tenant}"), mart
                assert count(api, "marts.fct_calls", f"tenant_id <> {tenant}") == 0
        assert denied(api, "select 1 from ops.fact_moves")
        assert denied(api, "select 1 from raw.tenants")
        row = "(2, 90, '2001-01-01', '2001-01-01', '2000-12-01', '2001-01-01', 1, 0, 0, 3, false)"
        assert denied(api, f"insert into ops.abandon_rate_snapshots values {row}")  # no tenant set
        with api.transaction():
            bind_tenant(api, 1)
            assert denied(api, f"insert into ops.abandon_rate_snapshots values {row}")  # another tenant's row
        with api.transaction():
            bind_tenant(api, 2)
            api.execute(f"insert into ops.abandon_rate_snapshots values {row}")
            assert count(api, "ops.abandon_rate_snapshots", "slot_at = '2001-01-01'") == 1
        with api.transaction():
            bind_tenant(api, 1)
            assert count(api, "ops.abandon_rate_snapshots", "slot_at = '2001-01-01'") == 0
        admin.execute("delete from ops.abandon_rate_snapshots where slot_at = '2001-01-01'")
        admin.commit()


# Tables and views of the API's login without tenant rows: the build records (X-Warehouse-Built-At, the
# live answers' cutoff).
BUILD_RECORDS = {"ops.build_runs", "ops.warehouse_builds"}


def _readable_by_api(url: str) -> dict[str, bool]:
    """Every table and view outside the marts the API's login may select: name -> is a view."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select n.nspname || '.' || c.relname, c.relkind = 'v' from pg_class as c"
            " join pg_namespace as n on n.oid = c.relnamespace"
            " where c.relkind in ('r', 'p', 'v', 'm') and n.nspname not in ('marts', 'marts_next')"
            " and n.nspname !~ '^(pg_|information_schema$)'"
            " and has_schema_privilege('telesales_api', n.oid, 'usage')"
            " and has_table_privilege('telesales_api', c.oid, 'select')"
            " and not exists (select from pg_depend as d join pg_extension as e on e.oid = d.refobjid"
            "                 where d.objid = c.oid and d.deptype = 'e')"  # Citus' own catalog views
            " order by 1"
        ).fetchall()
    return dict(rows)


def test_api_role_reads_only_its_tenant_of_every_raw_table_and_view(bi_db, logins):
    """Raw as the API reads it, directly (abandon-rate, filters) or through the dbt views of the live
    answers: no tenant set → nothing; a tenant → exactly that tenant's rows (DECISIONLOG 60)."""
    readable = _readable_by_api(bi_db)
    raw = {name for name, is_view in readable.items() if name.startswith("raw.") and not is_view}
    assert raw == {f"raw.{t}" for t in ("calls", "leads", "campaigns", "teams", "users", "dispositions", "caller_ids")}
    views = {name for name, is_view in readable.items() if is_view}
    assert {"live.live_calls", "live.live_campaigns", "intermediate.int_calls__classified"} <= views
    assert {"staging.stg_raw__calls", "staging.stg_raw__leads", "staging.stg_raw__users"} <= views
    assert "staging.stg_raw__tenants" not in views
    assert set(readable) - raw - views == BUILD_RECORDS | {"ops.abandon_rate_snapshots"}
    with psycopg.connect(bi_db) as admin, acting_as(bi_db, logins.api) as api:
        invoker = dict(
            admin.execute(
                "select n.nspname || '.' || c.relname, coalesce('security_invoker=true' = any(c.reloptions), false)"
                " from pg_class as c join pg_namespace as n on n.oid = c.relnamespace where c.relkind = 'v'"
                " and n.nspname in ('staging', 'intermediate', 'live')"
            ).fetchall()
        )
        assert invoker and all(invoker.values()), invoker  # every dbt view, not only the readable ones
        tenant_rows = sorted(set(readable) - BUILD_RECORDS)
        for relation in tenant_rows:
            assert count(api, relation) == 0, relation  # no tenant set: nothing at all
        for tenant in (1, 2):
            with api.transaction():
                bind_tenant(api, tenant)
                for relation in tenant_rows:
                    assert count(api, relation) == count(admin, relation, f"tenant_id = {tenant}"), relation
                    assert count(api, relation, f"tenant_id <> {tenant}") == 0, relation
        assert count(admin, "raw.calls", "tenant_id = 1") > 0 and count(admin, "raw.calls", "tenant_id = 2") > 0
        assert count(admin, "live.live_calls", "tenant_id = 2") > 0
        for relation in BUILD_RECORDS:  # no tenant rows: the same for every tenant and none
            assert count(api, relation) == count(admin, relation) > 0, relation


def test_the_raw_policy_is_an_index_condition_on_the_tenant_leading_indexes(bi_db, logins):
    """The API's raw reads (directly and through the views) find the tenant's rows by index: the
    policy's comparison is an index condition on raw.calls' (tenant_id, ...) indexes."""
    bound = re.compile(r"Index Cond: \(+tenant_id = \(NULLIF\(current_setting\('telesales\.tenant_id'::text, true\)")
    with psycopg.connect(bi_db) as admin:
        tenant_leading = {
            r[0]
            for r in admin.execute(
                "select indexrelid::regclass::text from pg_index join pg_attribute on attrelid = indrelid"
                " and attnum = indkey[0] where indrelid = 'raw.calls'::regclass and attname = 'tenant_id'"
            )
        }
    assert {
        "raw.calls_started_cover_idx",
        "raw.calls_campaign_started_cover_idx",
        "raw.calls_lead_idx",
    } <= tenant_leading
    shapes = [
        "select count(*) from live.live_calls where started_at >= '2026-06-01'",  # health_calls_today
        "select count(*) from raw.calls where campaign_id = 43 and started_at >= '2026-06-01'",  # abandon-rate
        "select count(*) from raw.calls where caller_id = '0900000001'",
        "select count(*) from intermediate.int_calls__classified where lead_id = 2",  # live answers
        "select count(*) from staging.stg_raw__calls",
    ]
    with acting_as(bi_db, logins.api) as api, api.transaction():
        bind_tenant(api, 1)
        api.execute("set local enable_seqscan = off")
        api.execute("set local enable_bitmapscan = off")
        for query in shapes:
            plan = "\n".join(r[0] for r in api.execute(f"explain {query}"))
            # on Citus, the plan of a shard: index and table names end in the shard id
            scans = re.findall(r"Scan using (\w+?)(?:_\d+)? on calls(?:_\d+)?\b", plan)
            assert len(scans) == 1 and f"raw.{scans[0]}" in tenant_leading, plan
            assert bound.search(plan), plan


def test_the_api_policy_is_an_index_condition(bi_db, logins):
    """The tenant bound is a plain comparison with a stable value: the planner pushes it into the index."""
    with acting_as(bi_db, logins.api) as api, api.transaction():
        bind_tenant(api, 1)
        api.execute("set local enable_seqscan = off")
        plan = "\n".join(r[0] for r in api.execute("explain select count(*) from marts.fct_calls"))
    assert "Index Cond: (tenant_id = (NULLIF(current_setting('telesales.tenant_id'::text, true)" in plan, plan


def test_an_api_query_that_forgets_its_tenant_filter_reads_nothing_of_other_tenants(bi_db):
    db.reset(api_url(bi_db))
    try:
        with db.read_only(1) as conn:
            assert conn.execute("select count(*) as n from marts.fct_calls where tenant_id = 2").fetchone()["n"] == 0
            assert conn.execute("select count(distinct tenant_id) as n from marts.dim_agents").fetchone()["n"] == 1
        with db.read_only() as conn:  # no tenant at all: no rows
            assert conn.execute("select count(*) as n from marts.fct_calls").fetchone()["n"] == 0
    finally:
        db.reset(bi_db)


def test_the_api_works_when_its_login_is_only_a_member_of_telesales_api(bi_db, logins):
    """The Lambda's login is not the marts' owner: every report and the snapshot job run through RLS."""
    url = make_conninfo(bi_db, user=logins.api, password="unused")
    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError:
        pytest.skip("the server does not let the test log in as a new role without a password")
    db.reset(bi_db)
    expected = {tenant: data("dashboard", DAY, tenant=tenant) for tenant in (1, 2)}
    expected_funnel = data("funnel", DAY, tenant=1)
    expected_live = data("abandon-rate", {"campaign_id": "43"}, tenant=1)["current"]["attempts_total"]
    expected_filters = data("filters", tenant=1)
    db.reset(url)
    try:
        assert {tenant: data("dashboard", DAY, tenant=tenant) for tenant in (1, 2)} == expected
        assert data("funnel", DAY, tenant=1) == expected_funnel
        live = data("abandon-rate", {"campaign_id": "43"}, tenant=1)["current"]["attempts_total"]
        assert live == expected_live >= 10
        assert data("filters", tenant=1) == expected_filters
        assert take_snapshot(NOW)["written"] == 3  # the active campaigns 43, 45 and 90
    finally:
        db.reset(bi_db)
        with psycopg.connect(bi_db, autocommit=True) as admin:
            admin.execute("delete from ops.abandon_rate_snapshots")


# ---------------------------------------------------------------------------------------------------
# Rebuilds keep it all


def _policies(url: str) -> dict[str, tuple[int, frozenset[int]]]:
    """mart -> (table oid, oids of its policies)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select c.relname, c.oid, array_agg(p.oid) from pg_class as c join pg_policy as p on p.polrelid = c.oid"
            " where c.relnamespace = 'marts'::regnamespace group by c.relname, c.oid"
        ).fetchall()
    return {name: (table, frozenset(policies)) for name, table, policies in rows}


def test_rebuilds_keep_the_policies_and_incremental_runs_leave_them_alone(bi_db, logins, marts):
    before = _policies(bi_db)
    assert sorted(before) == marts and all(len(p) == 3 for _, p in before.values())
    # Builds write the building copy and swap it in (write-audit-publish): after two incremental builds
    # the copy served at first is served again, with its tables and policies untouched.
    build(bi_db)
    build(bi_db)
    after = _policies(bi_db)
    assert sorted(after) == marts and all(len(p) == 3 for _, p in after.values())
    kept = [mart for mart in marts if after[mart][0] == before[mart][0]]  # incremental: same table
    assert "fct_calls" in kept
    for mart in kept:  # nothing dropped and re-created: no exclusive lock on a mart the API reads
        assert after[mart][1] == before[mart][1], mart
    build(bi_db, full_refresh=True)
    refreshed = _policies(bi_db)
    assert sorted(refreshed) == marts and all(len(p) == 3 for _, p in refreshed.values())
    assert all(refreshed[mart][0] != after[mart][0] for mart in marts)  # every table re-created
    with psycopg.connect(bi_db) as admin, acting_as(bi_db, logins.tenant2) as tenant:
        for mart in marts:
            assert count(tenant, f"marts.{mart}") == count(admin, f"marts.{mart}", "tenant_id = 2"), mart
    with psycopg.connect(bi_db) as admin, acting_as(bi_db, logins.reader) as reader:
        for mart in marts:
            assert count(reader, f"marts.{mart}") == count(admin, f"marts.{mart}"), mart
