"""Scheduled (EventBridge, every 5 minutes) abandon-rate snapshot of every active campaign.

Idempotent per 5-minute slot: the table's primary key (tenant, campaign, slot) drops a second run
in the same slot. Each breach is logged as `abandon_rate_breach` for the CloudWatch alarm.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger, Tracer

from ..db import connection
from ..limits import WINDOW_MINUTES_DEFAULT
from ..reports import queries

logger = Logger(service="telesales-reports-snapshot")
tracer = Tracer(service="telesales-reports-snapshot", patch_modules=[])  # X-Ray (no-op outside Lambda)


def take_snapshot(now: datetime | None = None) -> dict:
    """Record one snapshot per active campaign for the slot of `now`; return what was written."""
    snapshot_at = (now or datetime.now(UTC)).replace(microsecond=0)
    with connection.read_write() as conn:
        rows = conn.execute(
            queries.ABANDON_SNAPSHOT, {"snapshot_at": snapshot_at, "window_minutes": WINDOW_MINUTES_DEFAULT}
        ).fetchall()
    breaches = [r for r in rows if r["is_breached"]]
    for row in breaches:
        logger.warning(
            "abandon_rate_breach",
            extra={
                "tenant_id": row["tenant_id"],
                "campaign_id": row["campaign_id"],
                "abandon_rate_pct": str(row["abandon_rate_pct"]),
                "limit_pct": str(row["limit_pct"]),
            },
        )
    result = {"snapshot_at": snapshot_at.isoformat(), "written": len(rows), "breaches": len(breaches)}
    tracer.put_annotation(key="breaches", value=len(breaches))
    logger.info("abandon-rate snapshot", extra=result)
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context) -> dict:
    return take_snapshot()
