"""Ratios rounded half away from zero on the exact value (docs/api-reference.md §1, Rounding).

Counts and sums are non-negative integers, so the rounding is done in integers: the ratio scaled to
`places` decimals is q = floor(n x scale x 10^places / d), rounded up when the remainder is at least
half of d. Anything else (a negative or fractional input) takes the Decimal route, which gives the
same rounding for every input. A report of 500 caller IDs rounds 1,500 ratios: about 12 ms in
Decimal, about 1 ms in integers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext


def exact_ratio(numerator: int, denominator: int, scale: int = 100) -> Decimal:
    """numerator / denominator x scale as an exact-enough Decimal; 0 for a zero denominator."""
    if not denominator:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(numerator) * scale / Decimal(denominator)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round half away from zero (Decimal's ROUND_HALF_UP) to `places` decimals."""
    quantum = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _whole(value: int | Decimal) -> int | None:
    """A non-negative whole number as an int (sums of bigint arrive as Decimal), else None."""
    if type(value) is int:
        return value if value >= 0 else None
    if (
        isinstance(value, Decimal)
        and value.is_finite()
        and not value.is_signed()
        and value == value.to_integral_value()
    ):
        return int(value)
    return None


def _scaled(numerator: int, denominator: int, scale: int, places: int) -> int | None:
    """numerator / denominator x scale in units of 10^-places, rounded half up; None off the integer path."""
    if not (type(numerator) is int and type(denominator) is int and numerator >= 0 and denominator >= 0):
        numerator, denominator = _whole(numerator), _whole(denominator)
    if numerator is None or denominator is None:
        return None
    if not denominator:
        return 0
    q, r = divmod(numerator * scale * 10**places, denominator)
    return q + 1 if 2 * r >= denominator else q


def _decimal_text(units: int, places: int) -> str:
    """A non-negative count of 10^-places as Decimal writes it ("64.07", "0.50", "184")."""
    if not places:
        return str(units)
    whole, frac = divmod(units, 10**places)
    return f"{whole}.{str(frac).zfill(places)}"


def _rounded(numerator: int, denominator: int, scale: int, places: int) -> int | Decimal:
    """numerator / denominator x scale rounded half up to `places` decimals: on the integer path an int
    count of 10^-places, else (any other input) the rounded Decimal."""
    units = _scaled(numerator, denominator, scale, places)
    return round_half_up(exact_ratio(numerator, denominator, scale), places) if units is None else units


def _ratio_text(numerator: int, denominator: int, scale: int, places: int) -> str:
    """numerator / denominator x scale rounded half up to `places` decimals, written as Decimal writes it."""
    rounded = _rounded(numerator, denominator, scale, places)
    return _decimal_text(rounded, places) if type(rounded) is int else str(rounded)


def pct_string(numerator: int, denominator: int, places: int = 2) -> str:
    """Percentage as a decimal string with `places` decimals, e.g. "64.07"."""
    return _ratio_text(numerator, denominator, 100, places)


def pct_number(numerator: int, denominator: int, places: int) -> float:
    """Percentage as a JSON number rounded to `places` decimals: the double nearest the rounded decimal,
    which is the quotient units / 10^places (Python divides integers correctly rounded)."""
    rounded = _rounded(numerator, denominator, 100, places)
    return rounded / 10**places if type(rounded) is int else float(rounded)


def ratio_string(numerator: int, denominator: int, places: int) -> str:
    """Plain ratio (not a percentage) as a decimal string, e.g. average seconds "184.5"."""
    return _ratio_text(numerator, denominator, 1, places)


def ratio_int(numerator: int, denominator: int) -> int:
    """Plain ratio rounded half away from zero to a whole number."""
    return int(_rounded(numerator, denominator, 1, 0))
