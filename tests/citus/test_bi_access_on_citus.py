"""tests/integration/test_bi_access.py re-run against the Citus cluster (fixtures: tests/citus/conftest.py):
BI logins (all tenants, one tenant through its telesales_tenant_<id> role, none) and the API's login see
on the cluster exactly what they see on one node.

One difference, DECISIONLOG 42: Citus opens its worker connections as the querying role, so after
`set role` to a NOLOGIN group role a query of a distributed table fails instead of reading. The three
single-node tests of `set role` are replaced by a test of that.
"""

import psycopg
import pytest

from tests.integration.test_bi_access import *  # noqa: F403
from tests.integration.test_bi_access import acting_as, count

test_group_role_itself_reads_the_marts = None
test_set_role_to_the_group_keeps_the_logins_tenant = None
test_superuser_set_role_to_tenant_reader_sees_nothing = None
# Bootstrap as a managed build user without CREATEROLE is a single-node case (the cluster's nodes are
# bootstrapped by their superuser); its clean-up, REASSIGN OWNED, also crashed Citus 14.0.1's coordinator.
test_a_build_user_without_createrole_keeps_the_mapping_table_and_builds = None


@pytest.mark.parametrize("group", ["telesales_reader", "telesales_tenant_reader", "telesales_tenant_2"])
@pytest.mark.parametrize("session", ["superuser", "tenant2"])
def test_set_role_to_a_nologin_group_fails_on_citus_and_reads_nothing(bi_db, logins, group, session):
    login = None if session == "superuser" else getattr(logins, session)
    with psycopg.connect(bi_db, autocommit=True) if login is None else acting_as(bi_db, login) as conn:
        if login is not None and group == "telesales_reader":  # not a member: refused at once
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"set role {group}")
            return
        conn.execute(f"set role {group}")
        with pytest.raises(psycopg.OperationalError, match=f'role "{group}" is not permitted to log in'):
            count(conn, "marts.fct_calls")
