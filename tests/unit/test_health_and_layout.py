"""Pure rules of the reports without a database: caller-ID health (docs/api-reference.md §3) and the
export layout derived from the response models (§5)."""

from __future__ import annotations

import os
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telesales_reports.exports import DATETIME, DECIMAL, INT, LAYOUTS, NUMBER, TEXT
from telesales_reports.reports.compute import health_status
from telesales_reports.reports.registry import EXPORTABLE, REPORTS
from telesales_reports.settings import get_settings


@pytest.fixture(autouse=True)
def default_thresholds(monkeypatch):
    for name in list(os.environ):
        if name.startswith("TELESALES_HEALTH_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("total", "answered", "short", "rejected", "status"),
    [
        (19, 0, 19, 19, "no_data"),  # under 20 calls, whatever the ratios
        (0, 0, 0, 0, "no_data"),
        (20, 1, 0, 0, "suspected_block"),  # ASR 5 % < 10 %
        (20, 2, 0, 0, "warning"),  # ASR exactly 10 % is not < 10 %, but < 25 %
        (20, 10, 0, 6, "suspected_block"),  # rejected exactly 30 %
        (20, 10, 10, 0, "suspected_block"),  # short exactly 50 %
        (20, 10, 0, 2, "warning"),  # rejected exactly 10 %
        (20, 10, 6, 0, "warning"),  # short exactly 30 %
        (20, 5, 0, 0, "healthy"),  # ASR exactly 25 %
        (1000, 249, 0, 0, "warning"),  # 24.9 %: unrounded, not 25
        (1000, 250, 299, 99, "healthy"),
    ],
)
def test_health_status_first_matching_rule_on_unrounded_ratios(total, answered, short, rejected, status):
    assert health_status(total, answered, short, rejected) == status


def test_health_status_compares_fractional_limits_exactly(monkeypatch):
    # 10.5 % of 200 calls is exactly 21: at the limit is not below it, one call less is.
    monkeypatch.setenv("TELESALES_HEALTH_BLOCK_ASR_PCT", "10.5")
    monkeypatch.setenv("TELESALES_HEALTH_WARNING_REJECTED_PCT", "0.1")
    get_settings.cache_clear()
    assert health_status(200, 21, 0, 0) == "warning"
    assert health_status(200, 20, 0, 0) == "suspected_block"
    # 1 rejected in 1,000 calls is exactly 0.1 % (a warning); 1 in 1,001 is just under it
    assert health_status(1000, 500, 0, 1) == "warning"
    assert health_status(1001, 500, 0, 1) == "healthy"


def test_health_status_of_no_calls_when_no_minimum(monkeypatch):
    # every ratio of zero calls is 0 %: an ASR of 0 % is under the 10 % block limit
    monkeypatch.setenv("TELESALES_HEALTH_MIN_CALLS", "0")
    get_settings.cache_clear()
    assert health_status(0, 0, 0, 0) == "suspected_block"


@given(
    total=st.integers(min_value=20, max_value=10_000),
    data=st.data(),
)
def test_health_status_is_monotonic_in_the_answer_rate(total, data):
    answered = data.draw(st.integers(min_value=0, max_value=total - 1))
    order = ["suspected_block", "warning", "healthy"]
    worse = health_status(total, answered, 0, 0)
    better = health_status(total, answered + 1, 0, 0)
    assert order.index(better) >= order.index(worse)


_PCT = st.one_of(
    st.integers(min_value=0, max_value=100).map(Decimal),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=300)
@given(
    limits=st.tuples(_PCT, _PCT, _PCT, _PCT, _PCT, _PCT),
    minimum=st.integers(min_value=0, max_value=30),
    total=st.one_of(st.sampled_from([0, 20, 100, 200, 1000, 10_000]), st.integers(min_value=0, max_value=5_000)),
    data=st.data(),
)
def test_health_status_is_the_first_matching_rule_in_exact_fractions(limits, minimum, total, data):
    # the rule restated in Fractions, under any thresholds the settings accept (block <= warning for
    # ASR, warning <= block for the rejected and short shares); counts often sit exactly on a limit
    block_asr, warning_asr = sorted(limits[:2])
    warning_rejected, block_rejected = sorted(limits[2:4])
    warning_short, block_short = sorted(limits[4:])
    settings = {
        "MIN_CALLS": minimum, "BLOCK_ASR_PCT": block_asr, "WARNING_ASR_PCT": warning_asr,
        "BLOCK_REJECTED_PCT": block_rejected, "WARNING_REJECTED_PCT": warning_rejected,
        "BLOCK_SHORT_PCT": block_short, "WARNING_SHORT_PCT": warning_short,
    }  # fmt: skip

    def count(*limits):
        # 0, every call, or a count at (or one off) one of the field's limits, else any count
        at_limit = [int(limit * total / 100) + d for limit in limits for d in (-1, 0, 1)]
        near = [0, total, *(c for c in at_limit if 0 <= c <= total)]
        return data.draw(st.one_of(st.sampled_from(near), st.integers(min_value=0, max_value=total)))

    answered = count(block_asr, warning_asr)
    short = count(warning_short, block_short)
    rejected = count(warning_rejected, block_rejected)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(f"TELESALES_HEALTH_{name}", str(value))
        get_settings.cache_clear()
        status = health_status(total, answered, short, rejected)
    get_settings.cache_clear()

    def pct(count):
        return Fraction(count * 100, total) if total else Fraction(0)

    def alarm(asr, rejected_limit, short_limit):
        return (
            pct(answered) < Fraction(asr)
            or pct(rejected) >= Fraction(rejected_limit)
            or pct(short) >= Fraction(short_limit)
        )

    if total < minimum:
        expected = "no_data"
    elif alarm(block_asr, block_rejected, block_short):
        expected = "suspected_block"
    elif alarm(warning_asr, warning_rejected, warning_short):
        expected = "warning"
    else:
        expected = "healthy"
    assert status == expected


def test_every_report_is_in_the_registry_and_exportable_ones_have_a_layout():
    assert list(REPORTS) == [
        "dashboard",
        "disposition-breakdown",
        "agent-performance",
        "funnel",
        "caller-id-health",
        "hour-dow-heatmap",
        "lead-source-attribution",
        "time-series",
        "attempts",
        "carrier-health",
        "abandon-rate",
    ]
    assert list(LAYOUTS) == list(EXPORTABLE) == list(REPORTS)[:10]


def test_layout_kinds_follow_the_json_types():
    kinds = {field: kind for layout in LAYOUTS.values() for field, kind in layout}
    assert kinds["total_dials"] == kinds["daily_cap"] == kinds["day_of_week"] == INT
    assert dict(LAYOUTS["dashboard"])["answer_rate_pct"] == DECIMAL  # a decimal string
    assert dict(LAYOUTS["hour-dow-heatmap"])["answer_rate_pct"] == NUMBER  # a JSON number
    assert dict(LAYOUTS["caller-id-health"])["cooldown_until"] == DATETIME
    assert dict(LAYOUTS["disposition-breakdown"])["category"] == TEXT  # Literal[...] | None
    assert dict(LAYOUTS["agent-performance"])["conv_rate"] == NUMBER
    assert dict(LAYOUTS["attempts"]) == {
        "attempt": TEXT, "dials": INT, "answers": INT, "answer_rate_pct": DECIMAL, "conversions": INT,
        "conversion_rate_pct": DECIMAL, "avg_talk_time_sec": DECIMAL,
    }  # fmt: skip
    assert dict(LAYOUTS["carrier-health"])["asr_pct"] == NUMBER
