"""Lambda SnapStart (api/snapstart.py, DECISIONLOG 79): the handler registers its two hooks with the
runtime's `snapshot_restore_py`; before the snapshot the lazy paths' modules are imported, after a
restore no connection or cached secret survives and `random` is reseeded. The init itself opens no
connection and reads no secret, so a snapshot never holds one."""

from __future__ import annotations

import os
import random

from telesales_reports.api import snapstart
from telesales_reports.db import connection
from tests.support import python_prints

# A stand-in for the module the Lambda runtime provides (the real one only keeps the two lists too).
STAND_IN = """
before, after = [], []
def register_before_snapshot(func, *args, **kwargs):
    before.append(func)
    return func
def register_after_restore(func, *args, **kwargs):
    after.append(func)
    return func
"""


def test_the_handler_registers_both_hooks_and_its_init_connects_nowhere(tmp_path):
    (tmp_path / "snapshot_restore_py.py").write_text(STAND_IN)
    code = (
        "import snapshot_restore_py as s, telesales_reports.api.handler as h\n"
        "from telesales_reports.db import connection as c\n"
        "print([f.__name__ for f in s.before], [f.__name__ for f in s.after], c._conn, c._url, c._extension_secrets)"
    )
    printed = python_prints(
        code,
        PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
        DATABASE_SECRET_ARN="arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:api",
        TELESALES_SECRETS_EXTENSION_PORT="1",  # nothing answers there: any read at init would fail
        AWS_LAMBDA_INITIALIZATION_TYPE="snap-start",
    )
    assert printed == "['before_snapshot'] ['after_restore'] None None {}"


def test_outside_lambda_there_is_nothing_to_register():
    assert python_prints("import telesales_reports.api.snapstart as s; print(s.register())") == "False"


def test_before_the_snapshot_the_lazy_paths_modules_are_imported():
    code = (
        "import sys, telesales_reports.api.handler as h\n"
        "lazy = ('boto3', 'openpyxl', 'aws_lambda_powertools.utilities.parameters', 'telesales_reports.exports.xlsx_writer',"
        " 'pydantic', 'telesales_reports.reports.schemas', 'telesales_reports.exports.templates')\n"
        "print([m in sys.modules for m in lazy])\n"
        "h.snapstart.before_snapshot()\n"
        "print([m in sys.modules for m in lazy])\n"
        "from telesales_reports import exports\n"
        "print('LAYOUTS' in vars(exports), exports.templates.ExportTemplate.__pydantic_complete__)"
    )
    assert python_prints(code).splitlines() == [str([False] * 7), str([True] * 7), "True True"]


def test_after_a_restore_no_connection_or_secret_survives_and_random_is_reseeded(monkeypatch):
    closed = []

    class Connection:
        closed = False

        def close(self):
            closed.append(True)

    monkeypatch.setattr(connection, "_conn", Connection())
    monkeypatch.setattr(connection, "_url", "postgresql://snapshot-time/db")
    connection._extension_secrets["arn"] = ({"password": "from before the snapshot"}, 0.0)
    random.seed(1)
    state = random.getstate()
    snapstart.after_restore()
    assert closed == [True]
    assert connection._conn is None and connection._url is None
    assert connection._extension_secrets == {}
    assert random.getstate() != state
