"""tests/integration/test_live_answers.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py):
un-built rows in raw show up on the next request, read by the API's own login through row-level security
on raw and the dbt views (DECISIONLOG 60)."""

from tests.integration.test_live_answers import *  # noqa: F403
