"""tests/integration/test_bi_access.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py):
the API's login bound to its transaction's tenant on the marts, the snapshots, raw and the dbt views."""

from tests.integration.test_bi_access import (  # noqa: F401
    bi_db,
    logins,
    marts,
    test_an_api_query_that_forgets_its_tenant_filter_reads_nothing_of_other_tenants,
    test_api_role_reads_only_its_tenant_of_every_raw_table_and_view,
    test_api_role_reads_only_the_tenant_its_transaction_set,
    test_the_api_policy_is_an_index_condition,
    test_the_api_works_when_its_login_is_only_a_member_of_telesales_api,
    test_the_raw_policy_is_an_index_condition_on_the_tenant_leading_indexes,
)
