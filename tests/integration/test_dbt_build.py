"""dbt build on dirty data: every model and test passes; dirty rows give warnings, never failures."""

from __future__ import annotations

from datetime import datetime

import psycopg

from telesales_build.bootstrap import ensure_schema
from telesales_build.dbt_runner import build, target_path
from telesales_build.warehouse_state import checked_before
from tests.contract_data import contract_rows


def test_dirty_rows_warn_and_are_never_dropped(fresh_database):
    url = fresh_database("dirty")
    ensure_schema(url)
    contract_rows().load(url)
    result = build(url)
    statuses = {node: status for node, status, _ in result.nodes}
    warned = {node.split(".")[2] for node, status in statuses.items() if status == "warn"}
    # the fixture has a conversion code on an unanswered call, an unknown code, agent and caller ID
    assert "warn_conversion_code_on_unanswered_call" in warned
    assert "warn_unknown_disposition_codes" in warned
    assert any(name.startswith("relationships_in_tenant_fct_calls_agent_id") for name in warned)
    assert any(name.startswith("relationships_in_tenant_fct_calls_caller_id") for name in warned)
    assert not [n for n, s in statuses.items() if s in ("error", "fail")]
    assert any(n.startswith("unit_test.") for n in statuses)  # dbt unit tests ran
    with psycopg.connect(url) as conn:
        raw_count = conn.execute("select count(*) from raw.calls").fetchone()[0]
        fact_count = conn.execute("select count(*) from marts.fct_calls").fetchone()[0]
        rollup_dials = conn.execute(
            "select sum(dials) + sum(0) from marts.agg_calls_campaign_agent_team_15m"
        ).fetchone()[0]
        fact_dials = conn.execute("select count(*) from marts.fct_calls where is_dial").fetchone()[0]
    assert raw_count == fact_count
    assert rollup_dials == fact_dials


def test_marts_carry_tenant_id_on_every_row_and_describe_every_column(fresh_database):
    url = fresh_database("docs")
    ensure_schema(url)
    build(url)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select c.table_name, c.column_name, col_description(format('%I.%I', c.table_schema, c.table_name)::regclass,
                      c.ordinal_position) as description
               from information_schema.columns c where c.table_schema = 'marts'"""
        ).fetchall()
    tables = {t for t, _, _ in rows}
    assert {"fct_calls", "agg_calls_campaign_agent_team_15m", "fct_leads", "dim_agents", "dim_caller_ids"} <= tables
    for table in tables:
        assert (table, "tenant_id") in {(t, c) for t, c, _ in rows}, table
    undocumented = [(t, c) for t, c, d in rows if not d]
    assert undocumented == []


def test_dbt_docs_describe_every_mart_and_record_the_exposures(fresh_database):
    import json

    from telesales_build.dbt_runner import run_dbt

    url = fresh_database("dbtdocs")
    ensure_schema(url)
    build(url)
    run_dbt(["docs", "generate"], url=url)
    target = target_path()
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    assert {"exposure.telesales_reports.report_api", "exposure.telesales_reports.bi_tools"} <= set(
        manifest["exposures"]
    )
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert len(marts) >= 18
    for node in marts:
        assert node["description"], node["name"]
        documented = {c for c, col in node["columns"].items() if col["description"]}
        actual = set(catalog["nodes"][node["unique_id"]]["columns"])
        assert actual <= documented, (node["name"], actual - documented)


def test_every_mart_is_built_with_the_apis_random_page_cost(fresh_database, monkeypatch):
    """DECISIONLOG 74: each mart's transaction plans with TELESALES_RANDOM_PAGE_COST (the API's value),
    passed by the build as a dbt var and set by a pre-hook, not the server's (4.0 when untuned)."""
    import json

    from telesales_build.dbt_runner import run_dbt, with_settings_vars
    from telesales_reports.settings import get_settings

    monkeypatch.setenv("TELESALES_RANDOM_PAGE_COST", "2.5")
    get_settings.cache_clear()
    try:
        args = with_settings_vars(["build", "--vars", '{"marts_schema": "marts_next"}'])
        assert json.loads(args[-1]) == {
            "short_call_threshold_sec": 10,
            "random_page_cost": 2.5,
            "lead_block_bits": get_settings().lead_block_bits,  # the tests' blocks of 8 (conftest)
            "marts_schema": "marts_next",
        }
    finally:
        monkeypatch.delenv("TELESALES_RANDOM_PAGE_COST")
        get_settings.cache_clear()
    url = fresh_database("pagecost")
    ensure_schema(url)
    run_dbt(["parse"], url=url)
    manifest = json.loads((target_path() / "manifest.json").read_text())
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert len(marts) >= 18
    for node in marts:
        hooks = [hook["sql"] for hook in node["config"]["pre-hook"]]
        assert "{{ plan_for_index_probes() }}" in hooks, node["name"]
    macro = manifest["macros"]["macro.telesales_reports.plan_for_index_probes"]["macro_sql"]
    assert "set_config('random_page_cost', '{{ var(\"random_page_cost\") | float }}', true)" in macro


def _compiled_test(name: str) -> str:
    return next((target_path() / "run").rglob(f"{name}.sql")).read_text()


def test_a_dbt_run_leaves_the_process_environment_as_it_found_it(contract_db, monkeypatch):
    """The profile's connection values (TELESALES_DB_*) and the per-build values are set for the dbt run
    only: left behind, configured_url() would read TELESALES_DB_* as the database once DATABASE_URL is
    unset."""
    import os

    from telesales_build.dbt_runner import run_dbt

    for name in [n for n in os.environ if n.startswith("TELESALES_DB_")]:
        monkeypatch.delenv(name)
    before = dict(os.environ)
    run_dbt(["parse"], url=contract_db)
    assert dict(os.environ) == before


def test_a_databases_next_build_reuses_its_parse_yet_reads_its_own_cutoff_and_audit_scope(fresh_database):
    """DECISIONLOG 87: the cutoff and the audit scope reach dbt as environment variables read while it
    executes, and dbt's parse state is kept per database, so a build after another database's does
    not re-parse the project; the SQL it runs still carries this build's cutoff and scope."""
    import re

    first, second = fresh_database("parse_first"), fresh_database("parse_second")
    for url in (first, second):
        ensure_schema(url)
        contract_rows().load(url)
        build(url, full_refresh=True)
    for url, whole in ((first, False), (second, True), (first, True), (first, False)):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("update raw.calls set talk_sec = talk_sec + 1, updated_at = now() where id = 9")
        result = build(url, whole_audit=whole)
        assert not result.reparsed, url
        with psycopg.connect(url) as conn:
            cutoff = conn.execute("select max(cutoff_at) from ops.warehouse_builds").fetchone()[0]
        literal = re.search(
            r"updated_at < '([^']+)'::timestamptz", _compiled_test("assert_fct_calls_matches_raw_calls")
        )
        # the checks stop at this build's cutoff less the replication allowance (DECISIONLOG 112)
        assert datetime.fromisoformat(literal.group(1)) == checked_before(cutoff)
        audited = _compiled_test("warn_call_durations_out_of_range")
        assert ("dbt_loaded_at = '" in audited) is not whole, audited
