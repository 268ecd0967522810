"""tests/integration/test_reports_contract.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py)."""

from tests.integration.test_reports_contract import *  # noqa: F403
