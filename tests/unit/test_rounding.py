"""docs/api-reference.md §1, Rounding: half away from zero on the exact ratio; zero denominators give 0."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_reports.rounding import pct_number, pct_string, ratio_int, ratio_string


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [(1, 800, "0.13"), (1, 8, "12.50"), (312, 487, "64.07"), (0, 0, "0.00"), (5, 0, "0.00"), (2, 3, "66.67"),
     (1, 1, "100.00"), (1, 1600, "0.06"), (3, 1600, "0.19")],
)  # fmt: skip
def test_pct_string_half_away_from_zero(num, den, expected):
    assert pct_string(num, den) == expected


def test_seed_example_average_talk():
    assert ratio_string(57563, 312, 1) == "184.5"


@pytest.mark.parametrize(("num", "den", "expected"), [(1, 16, 6.3), (3, 16, 18.8), (1, 3, 33.3), (0, 0, 0.0)])
def test_pct_number_one_decimal(num, den, expected):
    assert pct_number(num, den, 1) == expected


@pytest.mark.parametrize(("num", "den", "expected"), [(5, 2, 3), (7, 2, 4), (1, 3, 0), (2, 3, 1), (0, 0, 0)])
def test_ratio_int_rounds_half_away_from_zero(num, den, expected):
    assert ratio_int(num, den) == expected


def test_no_float_artefacts():
    assert pct_number(2807, 4381, 2) == 64.07
    assert str(pct_number(2807, 4381, 2)) == "64.07"


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_pct_string_matches_exact_rational_rounding(num, den):
    # exact: round(100*num/den, 2) half up, computed with integers only
    scaled = 100 * 100 * num  # hundredths of a percent, times den
    q, r = divmod(scaled, den)
    expected = q + (1 if 2 * r >= den else 0)
    assert Decimal(pct_string(num, den)) == Decimal(expected) / 100


_DECIMALS = st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False)


@given(
    st.one_of(st.integers(min_value=-(10**12), max_value=10**15), _DECIMALS),
    st.one_of(st.integers(min_value=-(10**6), max_value=10**12), _DECIMALS),
    st.integers(min_value=0, max_value=3),
)
def test_the_integer_path_rounds_exactly_as_decimal_does(num, den, places):
    # counts and bigint sums take integer arithmetic; every answer, its text included, is Decimal's
    def decimal_ratio(scale, places):
        with localcontext() as ctx:
            ctx.prec = 60
            value = Decimal(num) * scale / Decimal(den) if den else Decimal(0)
            return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    assert pct_string(num, den, places) == str(decimal_ratio(100, places))
    assert ratio_string(num, den, places) == str(decimal_ratio(1, places))
    number = pct_number(num, den, places)
    assert repr(number) == repr(float(decimal_ratio(100, places)))
    assert ratio_int(num, den) == int(decimal_ratio(1, 0))
