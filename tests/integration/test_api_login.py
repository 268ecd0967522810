"""The local API's login (`api_login_url`, what `serve`, `demo`, `snapshot-abandon`, the benchmark and the
tests connect with): its password is set only when the login does not work yet, and a password that cannot
be set (on Citus `alter role` goes to every node and fails while one is down) is a warning, not a crash."""

from __future__ import annotations

import warnings

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from telesales_build.bootstrap import ensure_schema
from telesales_dev.embedded_db import API_ROLE, api_login_url


@pytest.fixture
def api_role_locked(fresh_database):
    """A database with the project's roles, the API role unable to log in, and a session holding its row
    (an uncommitted `alter role`) until the test ends: another `alter role` of it waits. The role can
    log in again afterwards."""
    url = fresh_database("api_login")
    ensure_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"alter role {API_ROLE} nologin")
    try:
        with psycopg.connect(url) as holder:
            holder.execute(f"alter role {API_ROLE} nologin")
            yield url
            holder.rollback()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"alter role {API_ROLE} login")


def _impatient(url: str) -> str:
    return make_conninfo(url, options="-c lock_timeout=300")


def test_a_password_that_cannot_be_set_warns_and_keeps_the_api_login(api_role_locked, tmp_path, monkeypatch):
    # Given: a login that does not work (the role may not log in), and the role's row held
    monkeypatch.setenv("TELESALES_DATA_DIR", str(tmp_path))
    # When / then: the `alter role` times out on the lock, a warning, and the API's URL all the same
    with pytest.warns(UserWarning, match=f"cannot set the password of {API_ROLE}"):
        got = api_login_url(_impatient(api_role_locked))
    assert conninfo_to_dict(got)["user"] == API_ROLE


def test_a_login_that_works_is_not_altered_again(fresh_database, tmp_path, monkeypatch):
    monkeypatch.setenv("TELESALES_DATA_DIR", str(tmp_path))
    url = fresh_database("api_login_set")
    ensure_schema(url)
    first = api_login_url(url)  # sets the folder's password
    with psycopg.connect(url) as holder:
        holder.execute(f"alter role {API_ROLE} login")  # any `alter role` of it would now wait
        with psycopg.connect(first) as api:  # the login works
            assert api.execute("select current_user").fetchone()[0] == API_ROLE
        # no warning (an `alter role` would have timed out on the held row)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            again = conninfo_to_dict(api_login_url(_impatient(url)))
        assert (again["user"], again["password"]) == (API_ROLE, conninfo_to_dict(first)["password"])
        holder.rollback()
