"""What a client's filter controls offer (docs/api-reference.md §6.5).

The caller's tenant's campaigns, teams and users as they stand in `raw` (read live, not from the
last build, so an id created since the build shows up at once, as the request rules accept it), each
ordered by name then id in code point order, and every timezone name the API accepts, sorted. A
user's name and username are the ones the reports show (trimmed in staging, DECISIONLOG 49).
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

CAMPAIGNS = """
    select id, name, status
    from raw.campaigns
    where tenant_id = %(tenant_id)s
    order by name collate "C", id
"""
TEAMS = """
    select id, name
    from raw.teams
    where tenant_id = %(tenant_id)s
    order by name collate "C", id
"""
# Users through their staging view: names and usernames trimmed as every report shows them (DECISIONLOG 49).
AGENTS = """
    select agent_id as id, agent_name as name, username, team_id
    from staging.stg_raw__users
    where tenant_id = %(tenant_id)s
    order by agent_name collate "C", agent_id
"""


def filter_options(conn: psycopg.Connection, tenant_id: int, timezones: Iterable[str]) -> dict:
    """The body of `filters`: three live lists of the tenant and the accepted timezones, sorted."""
    params = {"tenant_id": tenant_id}
    return {
        "campaigns": [dict(row) for row in conn.execute(CAMPAIGNS, params).fetchall()],
        "teams": [dict(row) for row in conn.execute(TEAMS, params).fetchall()],
        "agents": [dict(row) for row in conn.execute(AGENTS, params).fetchall()],
        "timezones": sorted(set(timezones)),
    }
