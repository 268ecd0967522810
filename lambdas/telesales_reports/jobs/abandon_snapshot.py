"""Scheduled (EventBridge, every 5 minutes) abandon-rate snapshot of every active campaign.

Idempotent per 5-minute slot: the table's primary key (tenant, campaign, slot) drops a second run
in the same slot. Each breach is logged as `abandon_rate_breach` for the CloudWatch alarm.

Tenant by tenant (DECISIONLOG 51): each tenant's campaigns in their own transaction, bound to that
tenant, all within the Lambda's timeout; a tenant whose snapshot fails or times out does not cost the
others theirs, and every tenant not written is logged as `abandon_rate_snapshot_incomplete`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from ..db import connection
from ..limits import WINDOW_MINUTES_DEFAULT
from ..reports import queries
from ..tracing import make_tracer

logger = Logger(service="telesales-reports-snapshot")
tracer = make_tracer("telesales-reports-snapshot")  # X-Ray in Lambda, nothing elsewhere
# Kept back from the Lambda's remaining time to log and return.
FINISH_MARGIN_MS = 2000
# Without a Lambda context (CLI, tests): the schedule's own period less a margin.
DEFAULT_BUDGET_MS = 55000

# Row-level security binds the API's login to one tenant on raw too (DECISIONLOG 60): the list of
# tenants comes from a function with its owner's rights (telesales_build/sql/ops_schema.sql).
ACTIVE_TENANTS = "select tenant_id from ops.active_campaign_tenants() as tenant_id"


def take_snapshot(now: datetime | None = None, budget_ms: int = DEFAULT_BUDGET_MS) -> dict:
    """Record one snapshot per active campaign for the slot of `now`; return what was written."""
    snapshot_at = (now or datetime.now(UTC)).replace(microsecond=0)
    rows: list[dict] = []
    failed: list[int] = []
    with connection.deadline(budget_ms):
        with connection.read_only() as conn:
            tenants = [r["tenant_id"] for r in conn.execute(ACTIVE_TENANTS).fetchall()]
        for index, tenant_id in enumerate(tenants):
            try:
                with connection.read_write(tenant_id) as conn:
                    rows += conn.execute(
                        queries.ABANDON_SNAPSHOT,
                        {"snapshot_at": snapshot_at, "window_minutes": WINDOW_MINUTES_DEFAULT, "tenant_id": tenant_id},
                    ).fetchall()
            except connection.ServiceUnavailable as exc:
                if (
                    connection.remaining_ms() or 0
                ) < connection.MIN_QUERY_MS:  # out of time: the rest is not even tried
                    failed.append(tenant_id)
                    skipped = tenants[index + 1 :]
                    break
                logger.warning(
                    "abandon-rate snapshot of a tenant failed", extra={"tenant_id": tenant_id, "reason": str(exc)}
                )
                failed.append(tenant_id)
        else:
            skipped = []
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
    result = {
        "snapshot_at": snapshot_at.isoformat(),
        "written": len(rows),
        "breaches": len(breaches),
        "tenants": len(tenants),
        "failed_tenants": failed,
        "skipped_tenants": skipped,
    }
    tracer.put_annotation(key="breaches", value=len(breaches))
    if failed or skipped:
        logger.error("abandon_rate_snapshot_incomplete", extra=result)
    logger.info("abandon-rate snapshot", extra=result)
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context) -> dict:
    return take_snapshot(budget_ms=context.get_remaining_time_in_millis() - FINISH_MARGIN_MS)
