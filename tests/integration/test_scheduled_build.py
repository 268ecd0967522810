"""The scheduled build (`telesales-reports build --scheduled`, the ECS task) and the dbt docs site.

A real build on a fresh database: source freshness is checked and published, the run is recorded in
ops.build_runs (what the API's X-Warehouse-Built-At reads), dbt's artifacts go to S3 per run, and the
JSON lines it prints are the ones the stack's metric filters count (evaluated here).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import boto3
import psycopg
import pytest
import yaml
from moto import mock_aws

from telesales_build import build_runs, dbt_docs
from telesales_build.bootstrap import ensure_schema
from telesales_build.dbt_runner import BUILD_LOCK_KEY, target_path
from telesales_build.paths import project_root
from telesales_build.scheduled import scheduled_build
from tests.contract_data import contract_rows
from tests.infra.test_operations import TEMPLATE, CfnLoader, matches

BUCKET = "artifacts-test"


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def _log_metrics(lines: list[dict]) -> dict[str, list[float]]:
    """What the template's metric filters on the dbt task's log group publish for these lines."""
    resources = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)["Resources"]  # noqa: S506
    published: dict[str, list[float]] = {}
    for res in resources.values():
        props = res["Properties"]
        if res["Type"] != "AWS::Logs::MetricFilter" or props["LogGroupName"] != {"Ref": "DbtLogGroup"}:
            continue
        if not props["FilterPattern"].startswith("{"):
            continue  # a text pattern ("DBT BUILD FAILED"), matched on stderr
        for line in lines:
            if matches(props["FilterPattern"], line):
                (transform,) = props["MetricTransformations"]
                value = transform["MetricValue"]
                number = float(line[value[2:]]) if value.startswith("$.") else float(value)
                published.setdefault(transform["MetricName"], []).append(number)
    return published


@pytest.fixture(scope="module")
def loaded_db(fresh_database) -> str:
    url = fresh_database("scheduled")
    ensure_schema(url)
    contract_rows().load(url)
    return url


def _runs(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select run_id::text, outcome, source_freshness, artifacts_uri, finished_at >= started_at"
            " from ops.build_runs order by finished_at"
        ).fetchall()


def test_scheduled_build_checks_freshness_records_the_run_and_keeps_the_artifacts(loaded_db: str, capsys) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        code = scheduled_build(loaded_db, artifacts_uri=f"s3://{BUCKET}/runs/", s3_client=s3)
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
        run_results = json.loads(s3.get_object(Bucket=BUCKET, Key=keys[1])["Body"].read())
    assert code == 0
    lines = _json_lines(capsys.readouterr().out)
    freshness = next(line for line in lines if line["event"] == "source_freshness")
    done = next(line for line in lines if line["event"] == "dbt_build")
    # Most contract rows were replicated long ago (dbt warns after 6 hours); a few calls are from now.
    assert freshness["status"] == "warn"
    assert "raw.leads" in freshness["stale"] and "raw.calls" not in freshness["stale"]
    for source, measured in freshness["sources"].items():
        assert (measured["age_seconds"] > 6 * 3600) == (source in freshness["stale"]), source
    assert freshness["max_age_seconds"] == max(s["age_seconds"] for s in freshness["sources"].values())
    assert done["outcome"] == "success" and done["source_freshness"] == "warn"
    # One row for the run, with its freshness and where its artifacts are.
    ((run_id, outcome, fresh, uri, ordered),) = _runs(loaded_db)
    assert (run_id, outcome, fresh, ordered) == (done["run_id"], "success", "warn", True)
    prefix = uri.removeprefix(f"s3://{BUCKET}/")
    assert prefix.startswith("runs/") and prefix.endswith(f"/{run_id}/")
    assert keys == [prefix + name for name in ("manifest.json", "run_results.json", "sources.json")]
    assert run_results["args"]["which"] == "build"
    assert not [r["unique_id"] for r in run_results["results"] if r["status"] in ("error", "fail", "runtime error")]
    assert sum(r["status"] == "success" for r in run_results["results"]) >= 20  # the models ran
    # What CloudWatch gets from these lines: the oldest source's age and one stale-sources count.
    assert _log_metrics(lines) == {
        "RawDataMaxAgeSeconds": [freshness["max_age_seconds"]],
        "SourceFreshnessWarnings": [1.0],
    }


def test_a_build_refused_by_the_lock_is_recorded_as_skipped(loaded_db: str, capsys) -> None:
    with psycopg.connect(loaded_db, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(hashtext(%s))", (BUILD_LOCK_KEY,))
        code = scheduled_build(loaded_db, artifacts_uri="")
    assert code == 3  # the task's exit code the SkippedBuilds filter counts
    done = [line for line in _json_lines(capsys.readouterr().out) if line["event"] == "dbt_build"]
    assert [d["outcome"] for d in done] == ["skipped"]
    assert _runs(loaded_db)[-1][1:3] == ("skipped", done[0]["source_freshness"])


def test_build_runs_are_pruned_after_90_days(loaded_db: str) -> None:
    old = build_runs.BuildRun(started_at=build_runs.now().replace(year=2020))
    with psycopg.connect(loaded_db, autocommit=True) as conn:
        conn.execute(
            "insert into ops.build_runs (run_id, started_at, finished_at, outcome, full_refresh)"
            " values (%s, %s, %s, 'success', false)",
            (old.run_id, old.started_at, old.started_at),
        )
    build_runs.record(loaded_db, build_runs.BuildRun(), "skipped")
    assert old.run_id not in [r[0] for r in _runs(loaded_db)]


# --- dbt docs ---------------------------------------------------------------------------------------


def test_dbt_docs_site_is_generated_and_served(contract_db: str) -> None:
    site = dbt_docs.generate(contract_db)
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    marts = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"}
    assert marts and marts <= {n["metadata"]["name"] for n in catalog["nodes"].values()}
    # Exposure owners come from the project's vars (dbt_project.yml), not from placeholders.
    project_vars = yaml.safe_load((project_root() / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    owners = {e["name"]: e["owner"] for e in manifest["exposures"].values()}
    assert owners["report_api"] == {
        "name": project_vars["report_api_owner_name"],
        "email": project_vars["report_api_owner_email"],
    }
    assert owners["bi_tools"] == {"name": project_vars["bi_owner_name"], "email": project_vars["bi_owner_email"]}
    assert {e["name"]: e.get("url") for e in manifest["exposures"].values()}["report_api"] == project_vars[
        "report_api_docs_url"
    ]

    server = dbt_docs.serve(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with urllib.request.urlopen(base + "/") as page:  # noqa: S310 - loopback
            assert b"dbt" in page.read(200_000).lower()
        with urllib.request.urlopen(base + "/catalog.json") as response:  # noqa: S310
            assert json.loads(response.read())["nodes"]
        for hidden in ("/run_results.json", "/../dbt_project.yml", "/compiled/"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + hidden)  # noqa: S310
            assert refused.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_exposure_owners_follow_the_configuration(contract_db: str) -> None:
    """A deployment sets its owners with --vars (or in dbt_project.yml), without editing the models."""
    from telesales_build.dbt_runner import run_dbt

    run_dbt(["parse", "--vars", '{"bi_owner_name": "Acme BI", "bi_owner_email": "bi@acme.test"}'], url=contract_db)
    manifest = json.loads((target_path() / "manifest.json").read_text(encoding="utf-8"))
    owners = {e["name"]: e["owner"] for e in manifest["exposures"].values()}
    assert owners["bi_tools"] == {"name": "Acme BI", "email": "bi@acme.test"}


@pytest.fixture
def half_readable_login(loaded_db: str):
    """A login that can read raw.calls but neither raw.leads nor create anything: dbt cannot read one
    source's freshness (as with a Citus worker down) and the build's set-up is refused by the database."""
    role = "telesales_test_half_reader"
    with psycopg.connect(loaded_db, autocommit=True) as conn:
        conn.execute(f"drop role if exists {role}")
        conn.execute(f"create role {role} login")
        conn.execute(f"grant usage on schema raw to {role}")
        conn.execute(f"grant select on raw.calls to {role}")
    try:
        yield psycopg.conninfo.make_conninfo(loaded_db, user=role)
    finally:
        with psycopg.connect(loaded_db, autocommit=True) as conn:
            conn.execute(f"revoke all on raw.calls from {role}")
            conn.execute(f"revoke usage on schema raw from {role}")
            conn.execute(f"drop role {role}")


def test_a_database_error_outside_dbt_fails_the_build_and_alarms(half_readable_login: str, capsys) -> None:
    code = scheduled_build(half_readable_login, artifacts_uri="")
    out, err = capsys.readouterr()
    lines = _json_lines(out)
    freshness = next(line for line in lines if line["event"] == "source_freshness")
    done = next(line for line in lines if line["event"] == "dbt_build")
    # a source dbt could not read is a runtime error, never a pass
    assert freshness["status"] == "runtime error"
    # the set-up's database error is a failed build: exit code 1, the failed outcome, and the text the
    # DbtBuildFailures metric filter matches on stderr
    assert code == 1
    assert done["outcome"] == "failed" and "database error" in done["error"]
    assert "DBT BUILD FAILED" in err
    assert "Traceback" not in err
