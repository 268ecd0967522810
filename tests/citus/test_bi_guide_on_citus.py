"""tests/integration/test_bi_guide.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py):
every worked query of docs/bi-guide.md, as a tenant's BI login, returns what the API returns."""

from tests.integration.test_bi_guide import *  # noqa: F403
