"""Powertools' Tracer for both Lambdas, without the X-Ray SDK where tracing is off (DECISIONLOG 84).

Powertools decides whether tracing is on (in Lambda, not under SAM local or Chalice, and not
POWERTOOLS_TRACE_DISABLED); where it is off the Tracer still routes every decorated call through its
provider, and its default provider is the X-Ray SDK's recorder, whose import (outside Lambda it also
builds a botocore X-Ray client for centralized sampling) was about 290 ms of a 513 ms handler import.
So where tracing is off the Tracer gets a provider that records nothing; where it is on, the X-Ray
SDK as before. Same decorators, same annotations; only the import differs.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment


class UntracedSegment(BaseSegment):
    """A subsegment that records nothing."""

    def close(self, end_time: int | None = None) -> None:
        return None

    def add_subsegment(self, subsegment: Any) -> None:
        return None

    def remove_subsegment(self, subsegment: Any) -> None:
        return None

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        return None


class UntracedProvider(BaseProvider):
    """The Tracer's provider where tracing is off: every subsegment an UntracedSegment."""

    @contextlib.contextmanager
    def in_subsegment(self, name=None, **kwargs):
        yield UntracedSegment()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name=None, **kwargs):
        yield UntracedSegment()

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def patch(self, modules) -> None:
        return None

    def patch_all(self) -> None:
        return None


def tracing_on() -> bool:
    """Powertools' own rule for whether a Tracer traces here (kept in one place: Powertools)."""
    return not Tracer._is_tracer_disabled()


def make_tracer(service: str) -> Tracer:
    """The function's Tracer: X-Ray where tracing is on, an UntracedProvider elsewhere. No library
    patching: boto3 would be imported at cold start for it, and psycopg 3 is not patchable."""
    provider = None if tracing_on() else UntracedProvider()
    return Tracer(service=service, patch_modules=[], provider=provider)
