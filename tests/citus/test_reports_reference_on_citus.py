"""tests/integration/test_reports_reference.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py)."""

from tests.integration.test_reports_reference import *  # noqa: F403
