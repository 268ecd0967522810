"""tracing.py: where tracing is off the Tracer's decorators and annotations still work, record nothing,
and let the function's result and exceptions through unchanged."""

from __future__ import annotations

import pytest

from telesales_reports.tracing import UntracedProvider, make_tracer


def finish(coroutine):
    """The value of a coroutine that never suspends, driven without an event loop (the suite's browser
    tests may leave one running in this thread, where asyncio.run refuses to start another)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("the coroutine suspended")


def test_an_untraced_tracer_passes_results_and_errors_through(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    tracer = make_tracer("telesales-reports-test")
    assert isinstance(tracer.provider, UntracedProvider)

    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event, context):
        tracer.put_annotation(key="tenant_id", value=event["tenant"])
        tracer.put_metadata(key="seen", value=event)
        if event.get("fail"):
            raise ValueError("boom")
        return {"tenant": event["tenant"], "total": helper(2)}

    @tracer.capture_method(capture_response=False)
    def helper(n):
        return n * 21

    @tracer.capture_method
    async def helper_async(n):
        return n + 1

    assert handler({"tenant": 7}, None) == {"tenant": 7, "total": 42}
    with pytest.raises(ValueError, match="boom"):
        handler({"tenant": 7, "fail": True}, None)
    assert finish(helper_async(1)) == 2


def test_the_untraced_provider_records_nothing():
    provider = UntracedProvider()
    with provider.in_subsegment(name="## x") as segment:
        segment.put_annotation("k", 1)
        segment.put_metadata("k", {"a": 1})
        segment.add_exception(ValueError("x"), [])
        segment.add_subsegment(object())
        segment.remove_subsegment(object())
        segment.close()

    async def use_async():
        async with provider.in_subsegment_async(name="## y") as inner:
            inner.put_annotation("k", "v")
            return type(inner).__name__

    assert finish(use_async()) == "UntracedSegment"
    assert provider.put_annotation("k", 1) is None
    assert provider.patch(["requests"]) is None and provider.patch_all() is None
