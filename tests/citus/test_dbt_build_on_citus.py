"""tests/integration/test_dbt_build.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py)."""

from tests.integration.test_dbt_build import *  # noqa: F403
