"""Lambda SnapStart (DECISIONLOG 79): the report function's init runs once per published version, and
new instances resume from a snapshot of it instead of importing everything again.

Two hooks, registered through the Lambda runtime's `snapshot_restore_py` (Python 3.12+ runtimes carry
it; elsewhere there is nothing to register):
- before the snapshot, import what a first request would otherwise import lazily (boto3 and botocore
  for Secrets Manager, S3 exports and templates; Powertools' parameters; openpyxl for XLSX; pydantic
  with the export layouts and the template validators, which the JSON path never loads, DECISIONLOG
  102), so a restored instance does not pay for it either. Nothing connects and no secret is read at init, so the
  snapshot holds no connection, password or credentials;
- after a restore, start clean: no connection or cached secret carried over (there is none by design;
  this keeps it so if init ever changes), and a fresh seed for `random`, which every instance restored
  from one snapshot would otherwise share.
"""

from __future__ import annotations

import random

from ..db import connection


def before_snapshot() -> None:
    """Import the modules of the lazy paths (secret through Secrets Manager, exports, templates; boto3
    loads botocore) and build what the exports build on first use: the layouts from the response models
    and the template models' validators."""
    import boto3  # noqa: F401
    from aws_lambda_powertools.utilities import parameters  # noqa: F401

    from ..exports import LAYOUTS, render, templates, xlsx_writer  # noqa: F401

    templates.ExportTemplate.model_validate({"version": 1, "tenant_id": 0})


def after_restore() -> None:
    """Forget any connection and cached secret, and reseed `random`."""
    connection.reset()
    random.seed()


def register() -> bool:
    """Register both hooks with the Lambda runtime; False where its module is absent (not in Lambda)."""
    try:
        import snapshot_restore_py
    except ImportError:
        return False
    snapshot_restore_py.register_before_snapshot(before_snapshot)
    snapshot_restore_py.register_after_restore(after_restore)
    return True
