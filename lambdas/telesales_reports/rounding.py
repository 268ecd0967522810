"""Ratios rounded half away from zero on the exact value (docs/api-reference.md §1, Rounding)."""

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


def pct_string(numerator: int, denominator: int, places: int = 2) -> str:
    """Percentage as a decimal string with `places` decimals, e.g. "64.07"."""
    return str(round_half_up(exact_ratio(numerator, denominator), places))


def pct_number(numerator: int, denominator: int, places: int) -> float:
    """Percentage as a JSON number rounded to `places` decimals (float of the rounded decimal)."""
    return float(round_half_up(exact_ratio(numerator, denominator), places))


def ratio_string(numerator: int, denominator: int, places: int) -> str:
    """Plain ratio (not a percentage) as a decimal string, e.g. average seconds "184.5"."""
    return str(round_half_up(exact_ratio(numerator, denominator, scale=1), places))


def ratio_int(numerator: int, denominator: int) -> int:
    """Plain ratio rounded half away from zero to a whole number."""
    return int(round_half_up(exact_ratio(numerator, denominator, scale=1), 0))
