"""The database as an attacker with a login sees it (hostile input): nothing to plant, nothing to hijack.

On PostgreSQL <= 14 every role may create objects in `public`, and a function there with an exact
argument match beats the system catalog's own: a tenant's BI login could create
`public.hashtextextended(text, integer)` and have the build run it with the build user's rights.
Bootstrap revokes CREATE on public, pins the search_path of every role it creates, the build calls
catalog functions schema-qualified, and dbt's profile searches only pg_catalog (DECISIONLOG 48).
"""

from __future__ import annotations

import os
import secrets

import psycopg
import pytest
import yaml
from psycopg import errors, sql

from telesales_build.bootstrap import GROUP_ROLES, ensure_schema
from telesales_build.dbt_runner import dbt_env
from telesales_build.paths import project_root
from telesales_build.warehouse_state import database_now, facts_in_step
from tests.contract_data import contract_rows

TRAP = """
create function public.hashtextextended(text, integer) returns bigint language plpgsql as $trap$
begin
    raise exception 'planted function ran';
end
$trap$
"""


@pytest.fixture(scope="module")
def legacy_db(fresh_database):
    """A database with PostgreSQL 14's default (PUBLIC may create in public), then bootstrapped."""
    url = fresh_database("hardening")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("grant create on schema public to public")
    ensure_schema(url)
    contract_rows().load(url)
    return url


@pytest.fixture(scope="module")
def intruder(legacy_db):
    name = f"ts_intruder_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(legacy_db, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login in role telesales_tenant_reader").format(sql.Identifier(name)))
        try:
            yield name
        finally:
            conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def test_a_bi_login_cannot_create_in_public(legacy_db, intruder):
    with psycopg.connect(legacy_db, autocommit=True) as conn:
        conn.execute(sql.SQL("set session authorization {}").format(sql.Identifier(intruder)))
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(TRAP)


def test_every_project_role_has_a_pinned_search_path(legacy_db):
    with psycopg.connect(legacy_db) as conn:
        rows = conn.execute(
            "select r.rolname, s.setconfig from pg_roles as r"
            " left join pg_db_role_setting as s on s.setrole = r.oid and s.setdatabase = 0"
            " where r.rolname = any(%s)",
            (list(GROUP_ROLES),),
        ).fetchall()
    assert {name: config for name, config in rows} == {
        name: ["search_path=pg_catalog, pg_temp"] for name in GROUP_ROLES
    }


def test_a_planted_function_in_public_never_runs_in_the_build_check(legacy_db):
    # Even where public stays writable (an administrator's choice), the build's own SQL is immune.
    with psycopg.connect(legacy_db, autocommit=True) as conn:
        conn.execute(TRAP)
        try:
            conn.execute("create schema if not exists marts")
            conn.execute(
                "create table if not exists marts.fct_calls (tenant_id bigint, call_id bigint, updated_at timestamptz)"
            )
            conn.execute(
                "create table if not exists marts.fct_leads (tenant_id bigint, lead_id bigint, updated_at timestamptz)"
            )
            assert (
                facts_in_step(legacy_db, database_now(legacy_db)) is False
            )  # computed, not hijacked (the marts are empty)
        finally:
            conn.execute("drop function public.hashtextextended(text, integer)")
            conn.execute("drop table marts.fct_calls, marts.fct_leads")


def test_dbt_connects_with_the_urls_sslmode_and_a_catalog_only_search_path():
    env = dbt_env("postgresql://build:pw@db.example.com:5432/warehouse?sslmode=require")
    assert env["TELESALES_DB_SSLMODE"] == "require"
    assert dbt_env("host=db.example.com user=build dbname=w sslmode=verify-full")["TELESALES_DB_SSLMODE"] == (
        "verify-full"
    )
    profile = yaml.safe_load((project_root() / "profiles.yml").read_text())["telesales_reports"]["outputs"]["default"]
    assert profile["sslmode"] == "{{ env_var('TELESALES_DB_SSLMODE', 'prefer') }}"
    assert profile["search_path"] == "pg_catalog, pg_temp"
