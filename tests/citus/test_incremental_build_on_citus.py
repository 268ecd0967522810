"""tests/integration/test_incremental_build.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py)."""

from tests.integration.test_incremental_build import *  # noqa: F403
