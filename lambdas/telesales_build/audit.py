"""How much of the marts a build's tests audit (macros/audit_scope.sql, DECISIONLOG 67).

A whole audit checks every row of the invariants; a changed audit only the periods and rows the run
touched, so an incremental build's cost follows the rows that changed. Full refreshes audit whole, and
so do the first two published builds of every 24 hours: write-audit-publish alternates the two copies
of the marts, so two consecutive builds cover both. A failing invariant heals either way (a full
refresh, audited whole: dbt_runner).
"""

from __future__ import annotations

from datetime import timedelta

import psycopg

WHOLE = "whole"
CHANGED = "changed"
WHOLE_AUDIT_WINDOW = timedelta(hours=24)
WHOLE_AUDITS_PER_WINDOW = 2  # one per copy of the marts


def whole_audit_due(url: str) -> bool:
    """True while fewer than two published builds of the last 24 hours were audited whole."""
    with psycopg.connect(url, autocommit=True) as conn:
        recent = conn.execute(
            "select count(*) from ops.warehouse_builds where whole_audit and published_at > clock_timestamp() - %s",
            (WHOLE_AUDIT_WINDOW,),
        ).fetchone()[0]
    return recent < WHOLE_AUDITS_PER_WINDOW
