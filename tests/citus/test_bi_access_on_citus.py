"""tests/integration/test_bi_access.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py)."""

from tests.integration.test_bi_access import *  # noqa: F403
