"""The API's logger, tracer and per-report metrics (a log line always, CloudWatch EMF metrics in Lambda).

Traces: X-Ray is active on the function (infra/template.yaml); outside Lambda the Tracer records
nothing and the X-Ray SDK is not imported (tracing.py). Each request's trace carries the tenant and the
report as annotations (searchable in X-Ray); responses are never recorded (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false in the stack).
"""

from __future__ import annotations

import os
import time

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from ..tracing import make_tracer

logger = Logger(service="telesales-reports")
tracer = make_tracer("telesales-reports")
METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "TelesalesReports")
IN_LAMBDA = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def record_report(report: str, started: float, data) -> None:
    """Per-report latency and row count since `started` (time.perf_counter())."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    rows = len(data) if isinstance(data, list) else 1
    logger.info("report computed", extra={"elapsed_ms": round(elapsed_ms, 1), "rows": rows})
    if not IN_LAMBDA:  # locally EMF would only be JSON noise on stdout
        return
    for name, unit, value in (
        ("ReportLatency", MetricUnit.Milliseconds, elapsed_ms),
        ("ReportRows", MetricUnit.Count, rows),
    ):
        with single_metric(name=name, unit=unit, value=value, namespace=METRICS_NAMESPACE) as metric:
            metric.add_dimension(name="report", value=report)


def annotate(tenant_id: int, report: str) -> None:
    """The request's tenant and report on every log line and on its trace."""
    logger.append_keys(tenant_id=tenant_id, report=report)
    tracer.put_annotation(key="tenant_id", value=tenant_id)
    tracer.put_annotation(key="report", value=report)
